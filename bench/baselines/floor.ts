// The wire floor: what any server of this protocol must do per stream, and nothing more. It accepts the upgrade,
// reads every inbound message (media frames counted, not parsed or analysed), and plays the reply's audio from
// memory with the host's own pacer and pre-encoded frames (src/main/media): no TTS job, no S3, no barge-in
// detector, no registry, history or UI. If the floor misses a capacity step, no design of the host can hold it
// on this machine with the load generator beside it: the step is past the machine, not the design.
import type { WebSocket } from 'ws';
import { listenWs, socketHooks } from './ws-listen';
import { Outbound } from '../../src/main/media/messages';
import { createPacer, type Pacer } from '../../src/main/media/pacer';
import { Playout } from '../../src/main/media/playout';
import { ReplyFrames } from '../../src/main/media/reply-frames';

export interface FloorServer {
  readonly port: number;
  readonly leadMs: number;
  stop(): Promise<void>;
}

/** Twilio's media messages start like this; anything else is parsed. */
const MEDIA_PREFIX = Buffer.from('{"event":"media"');

/** Parts of `partBytes` each, as the TTS service would have written them (a mark after each). */
function replyQueue(audio: Buffer, partBytes: number) {
  const frames = new ReplyFrames();
  const entries = [];
  for (let at = 0, n = 0; at < audio.length; at += partBytes, n++) entries.push(...frames.part(n, audio.subarray(at, at + partBytes), `floor:part${n}`));
  entries.push(...frames.end('floor:end'));
  return entries;
}

function serveStream(ws: WebSocket, socket: import('node:stream').Duplex, pacer: Pacer, audio: Buffer, counts: { media: number }): void {
  let playout: Playout | null = null;
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) return;
    if (data.length > MEDIA_PREFIX.length && data.subarray(0, MEDIA_PREFIX.length).equals(MEDIA_PREFIX)) {
      counts.media++;
      return;
    }
    let msg: { event?: string; start?: { streamSid: string }; mark?: { name: string } };
    try {
      msg = JSON.parse(data.toString('utf8'));
    } catch {
      return;
    }
    if (msg.event === 'start' && msg.start && !playout) {
      const p = (playout = new Playout(new Outbound(msg.start.streamSid), socketHooks(ws, socket)));
      p.enqueue(replyQueue(audio, 9600));
      pacer.add(p);
      pacer.kick();
    } else if (msg.event === 'mark' && msg.mark?.name === 'floor:end') ws.close(1000);
    else if (msg.event === 'stop') ws.close(1000);
  });
  ws.on('close', () => {
    if (playout) pacer.remove(playout);
  });
}

export async function startFloorServer(audio: Buffer, leadMs: number, batchFrames: number): Promise<FloorServer> {
  const pacer = createPacer({ leadMs, batchFrames, now: () => performance.now() });
  const counts = { media: 0 };
  const listener = await listenWs((ws, socket) => serveStream(ws, socket, pacer, audio, counts), () => pacer.stop());
  return { port: listener.port, leadMs, stop: () => listener.stop() };
}
