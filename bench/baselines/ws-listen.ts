// The loopback Media Streams listener the bench's baseline servers share: upgrades on one HTTP port, a stop that
// ends every socket and both servers (plus whatever the server itself must stop first).
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { PlayoutHooks } from '../../src/main/media/playout';

export interface WsListener {
  readonly port: number;
  stop(): Promise<void>;
}

export async function listenWs(onSocket: (ws: WebSocket, socket: Duplex) => void, beforeStop: () => void): Promise<WsListener> {
  const http: Server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: true });
  http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws, socket)));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return {
    port: (http.address() as { port: number }).port,
    async stop() {
      beforeStop();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** A playout's hooks onto the raw socket (corked batches; marks and underruns are the load generator's to see). */
export function socketHooks(ws: WebSocket, socket: Duplex): PlayoutHooks {
  return {
    write: (bytes) => {
      if (ws.readyState === ws.OPEN) socket.write(bytes);
    },
    cork: () => socket.cork(),
    uncork: () => socket.uncork(),
    marker: () => undefined,
    underrun: () => undefined,
  };
}
