// ops: one rule both the host and the console need about an operator's Say: whether the call's media stream is open
// now (then Say goes through the conversation on the stream; otherwise a REST <Say> and the call's Gather).
import type { CallEvent } from './model';

/** True when the call's last stream.started has no stream.stopped after it. */
export function streamOpen(events: readonly CallEvent[]): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    const t = events[i]!.type;
    if (t === 'stream.stopped') return false;
    if (t === 'stream.started') return true;
  }
  return false;
}
