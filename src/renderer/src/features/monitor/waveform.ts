// The History player's picture, as data: per-column peaks of each leg (mu-law -> |sample| max), and the call's
// moments placed on the recording's timeline (ms from its first sample): the caller's speech spans and final
// turns, the bot's replies (from the reply to its end mark, its interruption, the next reply or the stream's end;
// operator speech flagged), barge-in decisions and played marks. jambonz's recent-calls player draws spans over
// the waveform the same way. Pure.
import type { CallEvent } from '../../../../shared/model';
import { MULAW_TO_PCM16 } from '../../../../shared/recording';

/** Max |sample| (0..1) of each of `columns` equal slices of the leg. */
export function peaks(mulaw: Uint8Array, columns: number, totalSamples = mulaw.length): Float32Array {
  const out = new Float32Array(Math.max(0, columns));
  if (!columns || !totalSamples) return out;
  const per = totalSamples / columns;
  for (let c = 0; c < columns; c++) {
    const from = Math.floor(c * per);
    const to = Math.min(mulaw.length, Math.max(from + 1, Math.floor((c + 1) * per)));
    let max = 0;
    for (let i = from; i < to; i++) {
      const v = Math.abs(MULAW_TO_PCM16[mulaw[i]!]!);
      if (v > max) max = v;
    }
    out[c] = max / 32768;
  }
  return out;
}

export type Moment =
  | { kind: 'speech'; from: number; to: number }
  | { kind: 'turn'; at: number; text: string }
  | { kind: 'reply'; from: number; to: number; text: string; operator: boolean; replyId?: string }
  | { kind: 'bargein'; at: number; decision: 'paused' | 'resumed' | 'interrupted' }
  | { kind: 'mark'; at: number; name: string };

/** The call's moments relative to `startedAt` (the recording's sample 0), clipped to [0, durationMs]. */
export function moments(events: CallEvent[], startedAt: number, durationMs: number): Moment[] {
  const rel = (at: number) => Math.max(0, Math.min(durationMs, at - startedAt));
  const out: Moment[] = [];
  let speechFrom: number | null = null;
  const open: Array<Extract<Moment, { kind: 'reply' }>> = [];
  const close = (replyId: string | undefined, at: number) => {
    for (const r of open) if (replyId === undefined || r.replyId === replyId) r.to = Math.min(r.to, rel(at));
  };
  for (const e of events) {
    switch (e.type) {
      case 'caller.speech':
        if (e.state === 'started') speechFrom = rel(e.at);
        else if (speechFrom !== null) {
          out.push({ kind: 'speech', from: speechFrom, to: rel(e.at) });
          speechFrom = null;
        }
        break;
      case 'transcript':
        out.push({ kind: 'turn', at: rel(e.at), text: e.text });
        break;
      case 'bot.reply': {
        if (e.via !== 'stream') break;
        close(undefined, e.at); // a new reply ends the one before
        const reply: Extract<Moment, { kind: 'reply' }> = { kind: 'reply', from: rel(e.at), to: durationMs, text: e.text, operator: e.kind === 'operator', replyId: e.replyId };
        open.push(reply);
        out.push(reply);
        break;
      }
      case 'mark':
        if (e.outcome === 'played') out.push({ kind: 'mark', at: rel(e.at), name: e.name });
        if (e.name.endsWith(':end') && e.outcome !== 'sent') close(e.name.slice(0, -4), e.at);
        break;
      case 'bargein':
        out.push({ kind: 'bargein', at: rel(e.at), decision: e.decision });
        if (e.decision === 'interrupted') close(e.replyId, e.at);
        break;
      case 'stream.stopped':
      case 'call.ended':
        close(undefined, e.at);
        break;
    }
  }
  if (speechFrom !== null) out.push({ kind: 'speech', from: speechFrom, to: durationMs });
  return out;
}

/** "m:ss" for a position in ms. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
