// POST /tts_part/{token}: part notices from the TTS service (notices.ts) on the webhook port. The token in the path is
// the credential (128 random bits, one per reply, sent only to TTS_URL with the job); no Twilio signature applies.
// Answers: 204 delivered, 404 no live reply with that token (late, or a guess), 400 a body that is not a notice,
// 413 over 1 KB, 405 not POST. Plain node:http, ahead of the Express app: one small JSON body per part, no more.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log';
import { NoticeBody, type Notice } from './notices';

export const NOTICE_PATH = '/tts_part/';
const MAX_BODY = 1024;
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

export interface NoticeRouteDeps {
  deliver(token: string, notice: Notice): boolean;
  log: Logger;
}

/** Handles the request if its path is /tts_part/…, and says whether it did. */
export function noticeRoute(d: NoticeRouteDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  let refusedLogged = 0;
  const answer = (res: ServerResponse, status: number, error?: string) => {
    if (!error) return void res.writeHead(status).end();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
  };
  return (req, res) => {
    const url = req.url ?? '';
    if (!url.startsWith(NOTICE_PATH)) return false;
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      answer(res, 405, 'part notices are POST');
      return true;
    }
    const token = url.slice(NOTICE_PATH.length).split('?')[0]!;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (tooLarge) return answer(res, 413, `a notice is at most ${MAX_BODY} bytes`);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return answer(res, 400, 'the body is not JSON: send {"part": N} or {"done": true}');
      }
      const parsed = NoticeBody.safeParse(body);
      if (!parsed.success) return answer(res, 400, parsed.error.issues[0]?.message ?? 'not a part notice');
      if (!TOKEN.test(token) || !d.deliver(token, parsed.data)) {
        // late notices for ended replies are normal; a burst of unknown tokens is worth one line now and then
        if (refusedLogged++ % 1000 === 0) d.log.info({ refused: refusedLogged }, 'tts: part notice for no live reply (late or unknown token)');
        return answer(res, 404, 'no live reply has this token');
      }
      answer(res, 204);
    });
    return true;
  };
}
