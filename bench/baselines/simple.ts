// The simplest complete host: what the product must do per stream to speak a streamed reply and stop for the caller,
// with none of the rest. Our TTS pipeline (job, S3 polling, WAV parse), our framing (reply-frames) and our shared
// absolute-deadline pacer (100 ms lead), the energy detector on every inbound frame with a `clear` on speech, marks
// echoed per part and at the end; no history, registry, console events, Silero, echo guard, recordings, listen-in,
// admission or conversation. The step from the wire floor to this row is the cost of TTS + barge-in; the step from
// this row to ours is the cost of everything the console and the operator get.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { listenWs, socketHooks } from './ws-listen';
import { Outbound, parseInbound } from '../../src/main/media/messages';
import { createPacer, type Pacer } from '../../src/main/media/pacer';
import { Playout } from '../../src/main/media/playout';
import { ReplyFrames } from '../../src/main/media/reply-frames';
import { DEFAULT_VAD, Vad } from '../../src/main/media/vad';
import type { TtsPipeline } from '../../src/main/tts/types';

export interface SimpleServer {
  readonly port: number;
  readonly leadMs: number;
  stop(): Promise<void>;
}

interface Stream {
  out: Outbound;
  playout: Playout;
  vad: Vad;
  stop(): void;
}

function speak(ws: WebSocket, socket: Duplex, pacer: Pacer, pipeline: TtsPipeline, start: { callSid: string; streamSid: string; text: string }): Stream {
  const out = new Outbound(start.streamSid);
  const playout = new Playout(out, socketHooks(ws, socket));
  pacer.add(playout);
  const reply = pipeline.speak(start.text, { callSid: start.callSid, streamSid: start.streamSid, replyId: `R${start.streamSid.slice(2, 12)}` });
  const frames = new ReplyFrames();
  let stopped = false;
  playout.setExpectingMore(true);
  void (async () => {
    try {
      for await (const part of reply.parts()) {
        if (stopped) return;
        playout.enqueue(frames.part(part.part, part.audio, `part${part.part}`));
        reply.setQueuedMs(playout.queuedMs);
        pacer.kick();
      }
      if (stopped) return;
      playout.enqueue(frames.end('end'));
      playout.setExpectingMore(false);
      pacer.kick();
    } catch {
      if (!stopped) ws.close(1011, 'tts failed');
    }
  })();
  const stream: Stream = {
    out,
    playout,
    vad: new Vad(DEFAULT_VAD),
    stop() {
      if (stopped) return;
      stopped = true;
      reply.cancel('stream ended');
      pacer.remove(playout);
    },
  };
  return stream;
}

function serveStream(ws: WebSocket, socket: Duplex, pacer: Pacer, pipeline: TtsPipeline): void {
  let stream: Stream | null = null;
  ws.on('message', (data: Buffer, isBinary) => {
    const parsed = parseInbound(data, isBinary);
    if (!parsed.ok) return;
    const m = parsed.message;
    if (m.event === 'start' && !stream) {
      const { callSid, streamSid } = m.start;
      stream = speak(ws, socket, pacer, pipeline, { callSid, streamSid, text: m.start.customParameters?.text ?? 'bench' });
    } else if (m.event === 'media' && stream && m.media.track === 'inbound') {
      for (const e of stream.vad.push(Buffer.from(m.media.payload, 'base64'), Number(m.media.timestamp))) {
        if (e.type !== 'speech-start') continue;
        stream.playout.clear();
        if (ws.readyState === ws.OPEN) ws.send(stream.out.clear);
      }
    } else if (m.event === 'mark' && m.mark.name === 'end') ws.close(1000);
    else if (m.event === 'stop') ws.close(1000);
  });
  ws.on('close', () => stream?.stop());
}

export async function startSimpleServer(pipeline: TtsPipeline, leadMs: number, batchFrames: number): Promise<SimpleServer> {
  const pacer = createPacer({ leadMs, batchFrames });
  const listener = await listenWs((ws, socket) => serveStream(ws, socket, pacer, pipeline), () => pacer.stop());
  return { port: listener.port, leadMs, stop: () => listener.stop() };
}
