// The conversation's room in the host: everything that handles a live call once the HTTP port (and so the public
// URLs) is known — the handoff service, the conversations, the webhook app and the media server — built together
// and stopped together. The host keeps the listening sockets, the TTS pipeline, history and the demo.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CallRegistry } from '../calls/registry';
import type { Config } from '../config/load';
import type { NoticeHub } from '../console/notices';
import { MEDIA_PATH, type PublicUrls } from '../config/urls';
import type { Logger } from '../log';
import type { StreamAdmission } from '../media/admission';
import { detectorFor } from '../media/bargein/factory';
import { realTimers } from '../media/pacer';
import { createMediaServer, type MediaServer } from '../media/server';
import type { TtsPipeline } from '../tts/types';
import { HandoffService } from '../twilio/handoff';
import type { TwilioRest } from '../twilio/rest';
import { createTwimlApp } from '../twiml/app';
import { ConversationManager } from './manager';
import type { MediaTaps } from '../media/tap';

/** The media server: built here on the host's loop (from the TTS pipeline and the taps), or the media workers'. */
export type RoomMedia = { tts: TtsPipeline; taps?: MediaTaps } | { media: MediaServer };

export type CallRoomDeps = RoomDeps & RoomMedia;

interface RoomDeps {
  config: Config;
  registry: CallRegistry;
  log: Logger;
  urls: PublicUrls;
  rest: TwilioRest | null;
  authToken: string | null;
  now: () => number;
  /** The grants that bind media streams to calls (shared by the webhook app and the media server). */
  admission: StreamAdmission;
  notices?: NoticeHub;
}

export interface CallRoom {
  readonly handoff: HandoffService;
  readonly conversations: ConversationManager;
  readonly media: MediaServer;
  /** The webhook app (HTTP_PORT requests). */
  app(req: IncomingMessage, res: ServerResponse): void;
  /** WebSocket upgrades on either port: /media goes to the media server, anything else is 404. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  stop(): Promise<void>;
}

export function createCallRoom(d: CallRoomDeps): CallRoom {
  const { config, registry, log, urls, now } = d;
  let conversations: ConversationManager | null = null;
  const handoff = new HandoffService({ config, registry, rest: d.rest, urls, log: log.child({ part: 'handoff' }), transcribing: (sid) => conversations?.has(sid) ?? false });
  conversations = new ConversationManager({
    settings: config.settings,
    registry,
    log: log.child({ part: 'conversation' }),
    handoff: (sid, source) => handoff.request(sid, source),
    timers: realTimers,
    now,
  });
  const manager = conversations;
  const { admission, notices } = d;
  const app = createTwimlApp({ config, registry, log: log.child({ part: 'twiml' }), urls, handoff, now, conversations: manager, admission });
  // the barge-in detector: Silero behind the energy gate and the echo guard (media/bargein), or the energy detector alone
  const s = config.settings;
  // MEDIA_WORKERS: the workers' media server builds its own detector and taps
  const createDetector = 'media' in d ? undefined : detectorFor(s, log.child({ part: 'bargein' }));
  const media =
    'media' in d
      ? d.media
      : createMediaServer({ config, registry, log: log.child({ part: 'media' }), urls, tts: d.tts, authToken: d.authToken, now, attach: manager.attach, admission, notices, createDetector, taps: d.taps });
  return {
    handoff,
    conversations: manager,
    media,
    app: (req, res) => app(req, res),
    upgrade(req, socket, head) {
      const path = (req.url ?? '').split('?')[0];
      if (path === MEDIA_PATH || path === `${MEDIA_PATH}/`) media.handleUpgrade(req, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    },
    async stop() {
      manager.stop();
      await media.stop();
      await createDetector?.close();
    },
  };
}
