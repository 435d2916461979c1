import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { createBot, DEFAULT_APOLOGY, type BotInput } from './bot';

const KEYWORDS = ['상담원', '상담사', '사람', 'agent'];
const log = silentLogger();
const input: BotInput = { callSid: 'CA1', turn: 2, text: '예약 변경하고 싶어요', confidence: 0.9 };
const ECHO = '"예약 변경하고 싶어요" 라고 말씀하셨어요.';

/** A real bot server: the path picks the answer; bodies it received are kept. */
const received: unknown[] = [];
const routes: Record<string, (res: ServerResponse) => void> = {
  '/say': (res) => json(res, 200, { say: '네, 예약을 바꿔 드릴게요.', extra: 1 }),
  '/handoff': (res) => json(res, 200, { say: '', handoff: true }),
  '/handoff-say': (res) => json(res, 200, { say: '연결해 드릴게요.', handoff: true }),
  '/hangup': (res) => json(res, 200, { say: '안녕히 계세요.', hangup: true }),
  '/500': (res) => json(res, 500, { error: 'boom' }),
  '/not-json': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>'),
  '/array': (res) => json(res, 200, ['hi']),
  '/no-say': (res) => json(res, 200, { text: 'hi' }),
  '/empty-say': (res) => json(res, 200, { say: '  ' }),
  '/bad-flag': (res) => json(res, 200, { say: 'hi', handoff: 'yes' }),
  '/slow': () => undefined, // never answers
};
const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

let base = '';
const open = new Set<ServerResponse>();
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString('utf8')));
  req.on('end', () => {
    received.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(body) as unknown });
    open.add(res);
    res.on('close', () => open.delete(res));
    routes[req.url ?? '']?.(res);
  });
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of open) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const bot = (path?: string, timeoutMs = 2000) =>
  createBot({ botUrl: path ? `${base}${path}` : undefined, timeoutMs, keywords: KEYWORDS, log });

describe('createBot without BOT_URL (the seed rules)', () => {
  it.each([
    ['echoes the words as said', input, { action: 'say', say: ECHO, decidedBy: 'echo' }],
    ['hands off on a keyword', { ...input, text: '상담 원 바꿔 주세요' }, { action: 'handoff', decidedBy: 'keyword' }],
  ])('%s', async (_name, i, expected) => {
    const d = await bot().decide(i);
    expect(d).toMatchObject(expected);
    expect(d.error).toBeUndefined();
  });

  it('measures the decision with the injected clock', async () => {
    let t = 1000;
    const b = createBot({ timeoutMs: 100, keywords: KEYWORDS, log, now: () => (t += 7) });
    expect((await b.decide(input)).ms).toBe(7);
  });
});

describe('createBot with BOT_URL (a real local server)', () => {
  it('posts {callSid, turn, text, confidence, heardOfLastReply} as JSON and says the answer', async () => {
    received.length = 0;
    const heard = { text: '안녕하세요, 무엇을', heardMs: 900, replyMs: 2400, interrupted: true };
    const d = await bot('/say').decide({ ...input, heardOfLastReply: heard });
    expect(d).toMatchObject({ action: 'say', say: '네, 예약을 바꿔 드릴게요.', decidedBy: 'bot_url' });
    expect(received).toEqual([
      {
        path: '/say',
        type: 'application/json',
        body: { callSid: 'CA1', turn: 2, text: '예약 변경하고 싶어요', confidence: 0.9, heardOfLastReply: heard },
      },
    ]);
  });

  it('sends null for an unknown confidence and no previous reply', async () => {
    received.length = 0;
    await bot('/say').decide({ callSid: 'CA1', turn: 1, text: '네' });
    expect(received).toMatchObject([{ body: { confidence: null, heardOfLastReply: null } }]);
  });

  it.each([
    ['/handoff', { action: 'handoff', decidedBy: 'bot_url' }],
    ['/handoff-say', { action: 'handoff', say: '연결해 드릴게요.', decidedBy: 'bot_url' }],
    ['/hangup', { action: 'hangup', say: '안녕히 계세요.', decidedBy: 'bot_url' }],
  ])('%s', async (path, expected) => {
    const d = await bot(path).decide(input);
    expect(d).toEqual({ ...expected, ms: d.ms });
  });

  it('a keyword hands off without asking BOT_URL', async () => {
    received.length = 0;
    expect(await bot('/say').decide({ ...input, text: '사람이랑 얘기할래요' })).toMatchObject({ action: 'handoff', decidedBy: 'keyword' });
    expect(received).toEqual([]);
  });

  it.each([
    ['/slow', 'BOT_URL did not answer within 150 ms'],
    ['/500', 'BOT_URL answered 500 Internal Server Error'],
    ['/not-json', 'BOT_URL answered something that is not JSON'],
    ['/array', "BOT_URL's answer is not {say, handoff?, hangup?}: not a JSON object"],
    ['/no-say', "BOT_URL's answer is not {say, handoff?, hangup?}: say must be text"],
    ['/empty-say', "BOT_URL's answer is not {say, handoff?, hangup?}: say is empty"],
    ['/bad-flag', "BOT_URL's answer is not {say, handoff?, hangup?}: handoff must be true or false"],
  ])('%s falls back to an apology and the echo', async (path, error) => {
    const d = await bot(path, 150).decide(input);
    expect(d).toEqual({ action: 'say', say: `${DEFAULT_APOLOGY} ${ECHO}`, decidedBy: 'fallback', error, ms: d.ms });
  });

  it('an unreachable BOT_URL falls back with the network error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const d = await createBot({ botUrl: `http://127.0.0.1:${port}/`, timeoutMs: 2000, keywords: KEYWORDS, log }).decide(input);
    expect(d).toMatchObject({ decidedBy: 'fallback', error: 'BOT_URL could not be reached (ECONNREFUSED)' });
  });
});
