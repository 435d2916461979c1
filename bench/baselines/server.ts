// A Media Streams server built the naive ways, for the pacing comparison: the same TTS pipeline and framer
// as the host, a plain ws server, and one of the two baseline senders per stream instead of the shared pacer.
// No barge-in detection (inbound media is parsed and dropped).
import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { Framer } from '../../src/main/tts/framer';
import type { TtsPipeline } from '../../src/main/tts/types';
import { createSender, type BaselineKind } from './senders';

export interface BaselineServer {
  readonly port: number;
  readonly leadMs: number;
  stop(): Promise<void>;
}

const realTimers = { set: (fn: () => void, ms: number) => setTimeout(fn, ms), clear: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };

function serveStream(ws: WebSocket, kind: BaselineKind, pipeline: TtsPipeline): void {
  let stopSpeaking: (() => void) | null = null;
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let msg: { event?: string; start?: { callSid: string; streamSid: string; customParameters?: Record<string, string> }; mark?: { name: string } };
    try {
      msg = JSON.parse(String(data));
    } catch {
      return;
    }
    if (msg.event === 'start' && msg.start && !stopSpeaking) stopSpeaking = speak(ws, kind, pipeline, msg.start);
    else if (msg.event === 'mark' && msg.mark?.name === 'end') ws.close(1000);
    else if (msg.event === 'stop') {
      stopSpeaking?.();
      ws.close(1000);
    }
  });
  ws.on('close', () => stopSpeaking?.());
}

function speak(ws: WebSocket, kind: BaselineKind, pipeline: TtsPipeline, start: { callSid: string; streamSid: string; customParameters?: Record<string, string> }): () => void {
  const sid = JSON.stringify(start.streamSid);
  const head = `{"event":"media","streamSid":${sid},"media":{"payload":"`;
  const sender = createSender(kind, { frame: (f) => ws.send(`${head}${f.toString('base64')}"}}`) }, realTimers);
  const reply = pipeline.speak(start.customParameters?.text ?? 'bench', { callSid: start.callSid, streamSid: start.streamSid, replyId: `R${start.streamSid.slice(2, 12)}` });
  const framer = new Framer();
  let cancelled = false;
  void (async () => {
    try {
      for await (const part of reply.parts()) {
        if (cancelled) return;
        sender.push(framer.push(part.audio));
        reply.setQueuedMs(sender.queued * 20);
      }
      const last = framer.flush(true);
      if (last) sender.push([last]);
      sender.end(() => ws.send(`{"event":"mark","streamSid":${sid},"mark":{"name":"end"}}`));
    } catch {
      ws.close(1011, 'tts failed');
    }
  })();
  return () => {
    cancelled = true;
    sender.stop();
    reply.cancel('stream ended');
  };
}

export async function startBaselineServer(kind: BaselineKind, pipeline: TtsPipeline): Promise<BaselineServer> {
  const http: Server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (ws) => serveStream(ws, kind, pipeline));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return {
    port: (http.address() as { port: number }).port,
    leadMs: kind === 'burst' ? Infinity : 0,
    async stop() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
