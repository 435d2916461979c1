// The embedded demo against the real host (demo mode, ephemeral loopback ports): every scenario through the real
// webhooks, media server, TTS pipeline and REST handoff; stop() leaves nothing running.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallEvent, DemoScenario } from '../src/shared/model';
import { testConfig } from '../src/main/config/load';
import { createHost, type Host } from '../src/main/host';
import { silentLogger } from '../src/main/log';
import { GIVE_UPS, GOODBYES } from '../src/main/demo/utterances';

const resources = () =>
  process
    .getActiveResourcesInfo()
    .filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap')
    .sort();

const SID = /CA[0-9a-f]{32}/;
const WAIT_MS = 60_000;

// taken while the file loads: no hook or test timer of the runner is pending yet
const before = resources();
let host: Host;

/** Resolves with the call's events once the registry has seen it end (and the simulator has finished it). */
function ended(callSid: string): Promise<CallEvent[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`call ${callSid} did not end within ${WAIT_MS} ms`))), WAIT_MS);
    const check = () => {
      if (host.registry.get(callSid)?.state === 'ended' && host.registry.eventsOf(callSid).some((e) => e.type === 'call.status' && e.status === 'completed')) {
        clearTimeout(timer);
        off();
        resolve(host.registry.eventsOf(callSid));
      }
    };
    const off = host.registry.onEvent((e) => e.callSid === callSid && check());
    check();
  });
}

/** Resolves with the first event of the call that matches (already seen or still to come). */
function firstEvent(callSid: string, match: (e: CallEvent) => boolean): Promise<CallEvent> {
  return new Promise((resolve, reject) => {
    const seen = host.registry.eventsOf(callSid).find(match);
    if (seen) return resolve(seen);
    const timer = setTimeout(() => (off(), reject(new Error(`no matching event on ${callSid}`))), WAIT_MS);
    const off = host.registry.onEvent((e) => {
      if (e.callSid === callSid && match(e)) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}

async function simulate(scenario: DemoScenario): Promise<string> {
  const result = await host.api.simulate(scenario);
  expect(result.ok, result.message).toBe(true);
  expect(result.message).toContain(scenario);
  return SID.exec(result.message)![0];
}

const of = <T extends CallEvent['type']>(events: CallEvent[], type: T) => events.filter((e): e is Extract<CallEvent, { type: T }> => e.type === type);

beforeAll(async () => {
  host = createHost({ config: testConfig({ HTTP_PORT: '0', WS_PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-demo-')) }), log: silentLogger() });
  await host.start();
  // Say, speech and timeouts at a tenth of real time; streamed audio still plays in real time
  host.demo!.tune({ speed: 0.1, scenario: { operatorWaitMs: 6000 } });
});

afterAll(async () => {
  await host?.stop();
});

describe('the embedded demo drives the real host', () => {
  it('is wired in demo mode: stand-ins for TTS and Twilio REST, parts in a folder', () => {
    const demo = host.demo!;
    expect(host.config.mode).toBe('demo');
    expect(host.config.settings.TTS_URL).toBe(demo.ttsUrl);
    expect(host.config.settings.TWILIO_API_BASE_URL).toBe(demo.restUrl);
    expect(demo.partFolder).toMatch(/tts-parts$/);
  });

  it('runs every scenario at once, each the way Twilio would, all labelled simulated', { timeout: 120_000 }, async () => {
    const sids = {
      gather: await simulate('gather'),
      stream: await simulate('stream'),
      bargeIn: await simulate('barge-in'),
      keyword: await simulate('keyword-handoff'),
      operator: await simulate('operator-handoff'),
      unattended: await simulate('operator-handoff'),
      hangup: await simulate('hangup-mid-reply'),
      ttsFailure: await simulate('tts-failure'),
      backchannel: await simulate('backchannel'),
    };
    // the operator presses Hand off while the greeting is still streaming
    await firstEvent(sids.operator, (e) => e.type === 'stream.started');
    const handoff = await host.api.handoff(sids.operator);
    expect(handoff.ok, handoff.message).toBe(true);

    const [gather, stream, bargeIn, keyword, operator, unattended, hangup, ttsFailure, backchannel] = await Promise.all(Object.values(sids).map(ended));

    for (const sid of Object.values(sids)) expect(host.registry.get(sid)).toMatchObject({ simulated: true, state: 'ended', twilioStatus: 'completed' });

    // gather: 2–3 requests and a goodbye, in Korean, with confidences
    const said = of(gather, 'transcript');
    expect(said.length).toBeGreaterThanOrEqual(3);
    expect(said.every((t) => /[\uAC00-\uD7A3]/.test(t.text) && t.confidence! > 0.7)).toBe(true);
    expect(of(gather, 'call.status').map((e) => e.status)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);

    // stream: the greeting's parts arrive and are played; the caller's 2-3 requests and goodbye are all heard
    // (on the one stream by a host that keeps it open, else at <Gather> after it)
    const job = of(stream, 'tts.job');
    expect(job.slice(0, 2).map((j) => j.status)).toEqual(['started', 'done']);
    expect(of(stream, 'tts.part').length).toBeGreaterThanOrEqual(5);
    expect(of(stream, 'mark').some((m) => m.outcome === 'played')).toBe(true);
    expect(of(stream, 'transcript').length).toBeGreaterThanOrEqual(3);
    expect(GOODBYES).toContain(of(stream, 'transcript').at(-1)!.text);
    // ... all on the one stream, heard through Real-Time Transcription (partials, then finals), labelled scripted
    expect(of(stream, 'stream.started')).toHaveLength(1);
    expect(of(stream, 'transcript').every((t) => t.source === 'transcription' && t.scripted === true)).toBe(true);
    expect(of(stream, 'transcript.partial').length).toBeGreaterThanOrEqual(of(stream, 'transcript').length);
    expect(of(stream, 'transcription').map((t) => t.status)).toEqual(['started', 'stopped']);
    const answers = of(stream, 'bot.reply').filter((r) => r.kind === 'answer');
    for (const t of of(stream, 'transcript')) expect(answers.some((r) => r.text.includes(t.text))).toBe(true);

    // barge-in: the caller's speech clears the reply ~1.5 s in
    const barge = of(bargeIn, 'bargein')[0]!;
    expect(barge.heardMs).toBeGreaterThan(1000);
    expect(barge.heardMs).toBeLessThan(barge.replyMs);
    expect(of(bargeIn, 'clear').length).toBeGreaterThanOrEqual(1);
    // ... the request was said once, over the greeting, and answered on the same stream
    const request = of(bargeIn, 'transcript')[0]!;
    expect(request.at).toBeLessThan(of(bargeIn, 'bot.reply').find((r) => r.kind === 'answer')!.at + 1);
    expect(of(bargeIn, 'transcript').filter((t) => t.text === request.text)).toHaveLength(1);
    expect(of(bargeIn, 'bot.reply').some((r) => r.kind === 'answer' && r.text.includes(request.text))).toBe(true);
    expect(of(bargeIn, 'stream.started')).toHaveLength(1);

    // keyword handoff: 상담원 → Dial → the agent answers (child-leg callbacks) → the Dial action
    expect(of(keyword, 'transcript').at(-1)!.text).toContain('상담원');
    const kh = of(keyword, 'handoff');
    expect(kh.map((h) => h.status)).toEqual(expect.arrayContaining(['requested', 'dialing', 'connected']));
    expect(kh.some((h) => h.dialCallStatus === 'completed')).toBe(true);
    // ... on the stream: the handoff's TwiML stopped the transcription before the Dial rang
    const stopped = of(keyword, 'transcription').find((t) => t.status === 'stopped')!;
    expect(stopped.at).toBeLessThanOrEqual(kh.find((h) => h.status === 'dialing')!.at);
    expect(of(keyword, 'stream.stopped')[0]!.reason).toBe('handoff');

    // operator handoff during the stream: the stream stops, the call is not hung up, the agent answers
    const oh = of(operator, 'handoff');
    expect(oh.every((h) => h.source === 'operator')).toBe(true);
    expect(oh.map((h) => h.status)).toEqual(expect.arrayContaining(['requested', 'accepted', 'dialing', 'connected']));
    expect(of(operator, 'stream.stopped')[0]!.reason).toBe('handoff');

    // nobody pressed Hand off: the caller gives up politely
    expect(GIVE_UPS).toContain(of(unattended, 'transcript').at(-1)!.text);
    expect(of(unattended, 'handoff')).toHaveLength(0);

    // hang-up mid-reply: stop reaches the stream, the TTS job is abandoned
    expect(of(hangup, 'stream.stopped')[0]!.reason).toBe('stop');
    expect(of(hangup, 'tts.job').map((j) => j.status)).toContain('cancelled');
    expect(of(hangup, 'transcript')).toHaveLength(0);

    // TTS failure: a clear error on the greeting's job, and the conversation goes on
    expect(of(ttsFailure, 'tts.job').find((j) => j.status === 'failed')!.error).toMatch(/HTTP 500/);
    expect(of(ttsFailure, 'tts.job').filter((j) => j.status === 'failed')).toHaveLength(1);
    expect(of(ttsFailure, 'transcript').length).toBe(2);

    // backchannel: the caller's 네 / 음 while the bot talks, and their lines, end with a goodbye
    expect(GOODBYES).toContain(of(backchannel, 'transcript').at(-1)!.text);

  });

  it('refuses what it cannot do with a clear message', async () => {
    expect(await host.api.simulate('karaoke' as DemoScenario)).toMatchObject({ ok: false });
    expect(await host.demo!.simulate('karaoke' as DemoScenario)).toEqual({ ok: false, message: expect.stringMatching(/Unknown scenario "karaoke": use one of gather, stream/) });
  });

  it('auto-demo keeps calls going until switched off; stop() hangs them up and leaves nothing running', { timeout: 60_000 }, async () => {
    const started = new Promise<void>((resolve) => {
      const off = host.registry.onEvent((e) => {
        if (e.type === 'call.started' && e.simulated && host.demo!.activeCalls >= 1) {
          off();
          resolve();
        }
      });
    });
    await host.api.setAutoDemo(true);
    expect(host.demo!.autoDemo).toBe(true);
    await started;
    await host.api.setAutoDemo(false);
    expect(host.demo!.autoDemo).toBe(false);
    const live = host.registry.active().filter((c) => c.simulated).map((c) => c.callSid);
    expect(live.length).toBeGreaterThanOrEqual(1);
    await host.stop();
    for (const sid of live) expect(host.registry.get(sid)?.state).toBe('ended');
    // the runner's own RPC may hold a timer for a moment; anything of ours would stay
    for (let i = 0; i < 100 && JSON.stringify(resources()) !== JSON.stringify(before); i++) await new Promise((r) => setTimeout(r, 20));
    expect(resources()).toEqual(before);
  });
});
