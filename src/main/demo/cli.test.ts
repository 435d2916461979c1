import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { DEMO_SCENARIOS, type CallEvent } from '../../shared/model';
import { describeEvent, listText, main, parseArgs, simulateOnConsole } from './cli';

describe('parseArgs', () => {
  it.each([
    [['--list'], { kind: 'list' }],
    [['-h'], { kind: 'help' }],
    [['gather'], { kind: 'run', scenarios: ['gather'], standalone: false }],
    [['--standalone', 'barge-in', 'stream'], { kind: 'run', scenarios: ['barge-in', 'stream'], standalone: true }],
  ])('%j', (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  it.each([
    [[], /name a scenario/],
    [['karaoke'], /unknown scenario "karaoke": one of gather, stream/],
    [['--fast', 'gather'], /unknown option --fast/],
  ])('%j is refused: %s', (argv, message) => {
    const c = parseArgs(argv);
    expect(c.kind).toBe('error');
    expect((c as { message: string }).message).toMatch(message);
  });
});

describe('output', () => {
  it('lists every scenario with its description', () => {
    const text = listText();
    for (const s of DEMO_SCENARIOS) expect(text).toContain(s);
    expect(text).toContain('상담원');
  });

  it('describes the events an operator reads, skips the noisy ones', () => {
    const base = { callSid: 'CA1', at: 0, seq: 1 };
    expect(describeEvent({ ...base, type: 'transcript', text: '주문 취소하고 싶어요', confidence: 0.91, source: 'gather' } as CallEvent)).toBe('caller: 주문 취소하고 싶어요 (0.91)');
    expect(describeEvent({ ...base, type: 'handoff', status: 'connected', source: 'keyword', message: 'An agent answered' } as CallEvent)).toBe('handoff connected (keyword): An agent answered');
    expect(describeEvent({ ...base, type: 'mark', name: 'p1', outcome: 'played' } as CallEvent)).toBeNull();
    const at = { callerStoppedAt: 1000, finalAt: 1800, decidedAt: 1801, ttsJobAt: 1850, firstFrameAt: 2300 };
    expect(describeEvent({ ...base, type: 'turn.latency', turn: 2, ...at } as CallEvent)).toBe(
      'turn 2: caller stopped → +800 ms final → +1 ms decided → +49 ms tts job → +450 ms first frame',
    );
    const short = { ...base, type: 'turn.latency', turn: 1, finalAt: 10, firstFrameAt: 15 };
    expect(describeEvent(short as CallEvent)).toBe('turn 1: final → +5 ms first frame');
    const scripted = { ...base, type: 'transcript', text: '네', source: 'transcription', scripted: true };
    expect(describeEvent(scripted as CallEvent)).toBe('caller: 네 [scripted]');
    const decision = { ...base, type: 'bot.decision', turn: 1, decidedBy: 'fallback', ms: 3, action: 'say', error: 'HTTP 500' };
    expect(describeEvent(decision as CallEvent)).toBe('bot decided say by fallback in 3 ms (HTTP 500)');
  });

  it('main prints the list and usage errors with exit codes', async () => {
    const lines: string[] = [];
    expect(await main(['--list'], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('keyword-handoff');
    expect(await main(['nope'], (l) => lines.push(l))).toBe(2);
    expect(lines.at(-1)).toMatch(/unknown scenario "nope"/);
  });
});

describe('simulateOnConsole', () => {
  let wss: WebSocketServer | null = null;
  afterEach(async () => {
    await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
    wss = null;
  });

  async function fakeConsole(onRequest: (req: { id: number; method: string; params: unknown[] }, token: string | null) => unknown): Promise<number> {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss!.once('listening', () => r()));
    wss.on('connection', (ws, req) => {
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
      if (token !== 'the-console-token-123') return ws.close(4401, 'token missing or invalid');
      ws.send(JSON.stringify({ push: { kind: 'health', health: {} } })); // pushes come first and are ignored
      ws.on('message', (data) => {
        const req = JSON.parse(String(data)) as { id: number; method: string; params: unknown[] };
        ws.send(JSON.stringify({ id: req.id, ok: true, result: onRequest(req, token) }));
      });
    });
    return (wss.address() as { port: number }).port;
  }

  it('sends a simulate request with the token and returns the console result', async () => {
    const seen: unknown[] = [];
    const port = await fakeConsole((req) => (seen.push(req), { ok: true, message: 'Simulated gather call CA1' }));
    expect(await simulateOnConsole({ port, token: 'the-console-token-123', scenario: 'gather' })).toEqual({ ok: true, message: 'Simulated gather call CA1' });
    expect(seen).toEqual([{ id: 1, method: 'simulate', params: ['gather'] }]);
  });

  it('explains a wrong token and a console that is not running', async () => {
    const port = await fakeConsole(() => null);
    await expect(simulateOnConsole({ port, token: 'wrong', scenario: 'gather' })).rejects.toThrow(/refused the token/);
    const free = createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', () => r()));
    const closedPort = (free.address() as { port: number }).port;
    await new Promise<void>((r) => free.close(() => r()));
    await expect(simulateOnConsole({ port: closedPort, token: 'x', scenario: 'gather' })).rejects.toThrow(/no console is listening on 127.0.0.1:\d+/);
  });
});
