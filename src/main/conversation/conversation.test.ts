import { describe, expect, it } from 'vitest';
import type { CallEvent, CommandResult, ReplyKind } from '../../shared/model';
import { CallRegistry } from '../calls/registry';
import { testConfig } from '../config/load';
import { silentLogger } from '../log';
import { FakeTimers } from '../../../test/helpers/fake-timers';
import type { ReplyOutcome } from '../media/reply-tracker';
import type { ReplyHandle, StreamControl } from '../media/session';
import type { Bot } from './bot';
import { ConversationManager } from './manager';
import type { TranscriptionCallback } from './transcription';

const SID = 'CA' + 'a'.repeat(32);

/** A stream the test settles by hand: every speak() is recorded with its outcome's resolver. */
function fakeStream() {
  const spoken: Array<{ text: string; kind: ReplyKind; turn?: number; settle(o: Partial<ReplyOutcome>): void }> = [];
  const closed: string[] = [];
  let live = false;
  const interrupts: string[] = [];
  const control: StreamControl = {
    callSid: SID,
    streamSid: 'MZ1',
    speak(text, o) {
      let settle!: (o: ReplyOutcome) => void;
      const outcome = new Promise<ReplyOutcome>((r) => (settle = r));
      live = true;
      spoken.push({ text, kind: o.kind, turn: o.turn, settle: (p) => ((live = false), settle({ status: 'played', heardMs: 800, replyMs: 800, pausedMs: 0, ...p })) });
      const handle: ReplyHandle = { replyId: `R${spoken.length}`, outcome, firstFrame: new Promise(() => undefined) };
      return handle;
    },
    replying: () => live,
    interrupt: (t) => {
      interrupts.push(t);
      spoken.at(-1)?.settle({ status: 'interrupted', heardMs: 300 });
    },
    pause: () => undefined,
    resume: () => undefined,
    close: (reason) => void closed.push(reason),
  };
  return { control, spoken, closed, interrupts };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

function setup(env: Record<string, string> = {}, bot?: Bot) {
  const timers = new FakeTimers();
  const registry = new CallRegistry({ now: timers.now });
  registry.apply(SID, { type: 'call.started', from: '', to: '', fromMasked: '', toMasked: '', mode: 'stream', simulated: true });
  const handoffs: string[] = [];
  const manager = new ConversationManager({
    settings: testConfig({ GATHER_TIMEOUT_S: '2', ...env }).settings,
    registry,
    log: silentLogger(),
    handoff: async (sid, source): Promise<CommandResult> => (handoffs.push(source), { ok: true, message: 'ok' }),
    timers,
    now: timers.now,
    ...(bot ? { bot } : {}),
  });
  const conv = manager.create(SID);
  const stream = fakeStream();
  const listener = manager.attach(stream.control)!;
  const post = (cb: Partial<TranscriptionCallback> & { kind: string }, extra: Record<string, string> = {}) => {
    const c = cb as { kind: string; text?: string; final?: boolean; sequenceId?: number };
    return manager.onTranscription({
      TranscriptionEvent: `transcription-${c.kind}`,
      CallSid: SID,
      TranscriptionSid: 'GT1',
      SequenceId: String(c.sequenceId ?? 0),
      ...(c.kind === 'content' ? { Final: String(c.final), TranscriptionData: JSON.stringify({ transcript: c.text, confidence: 0.8 }) } : {}),
      ...extra,
    });
  };
  const ofType = <T extends CallEvent['type']>(type: T) => registry.eventsOf(SID).filter((e): e is Extract<CallEvent, { type: T }> => e.type === type);
  return { timers, registry, manager, conv, stream, listener, post, ofType, handoffs };
}

describe('Conversation', () => {
  it('speaks the greeting when the stream attaches; a final is answered, partials and retries are not', async () => {
    const t = setup();
    expect(t.stream.spoken.map((s) => s.kind)).toEqual(['greeting']);
    expect(t.post({ kind: 'content', text: '배송', final: false, sequenceId: 1 }).status).toBe('accepted');
    expect(t.post({ kind: 'content', text: '배송 문의', final: true, sequenceId: 2 }).status).toBe('accepted');
    expect(t.post({ kind: 'content', text: '배송 문의', final: true, sequenceId: 2 }).status).toBe('duplicate');
    expect(t.post({ kind: 'content', text: '배', final: false, sequenceId: 1 }).status).toBe('duplicate');
    await tick();
    expect(t.stream.interrupts).toEqual(['transcript']); // the greeting was still playing
    expect(t.stream.spoken.map((s) => [s.kind, s.turn])).toEqual([['greeting', 0], ['answer', 1]]);
    expect(t.stream.spoken[1]!.text).toContain('배송 문의');
    expect(t.ofType('transcript')).toEqual([expect.objectContaining({ turn: 1, scripted: true, source: 'transcription' })]);
    expect(t.ofType('transcript.partial')).toEqual([expect.objectContaining({ text: '배송', scripted: true })]);
    expect(t.ofType('bot.decision')).toEqual([expect.objectContaining({ turn: 1, decidedBy: 'echo', action: 'say' })]);
  });

  it('a backchannel final while the bot speaks is shown, not answered; after the bot finished, 네 is a turn', async () => {
    const t = setup();
    t.post({ kind: 'content', text: '네', final: true, sequenceId: 1 });
    await tick();
    expect(t.stream.interrupts).toEqual([]);
    expect(t.stream.spoken.map((s) => s.kind)).toEqual(['greeting']);
    expect(t.ofType('transcript')).toEqual([expect.objectContaining({ text: '네', backchannel: true })]);
    expect(t.ofType('transcript')[0]!.turn).toBeUndefined();
    t.stream.spoken[0]!.settle({}); // the greeting played to its end
    await tick();
    t.post({ kind: 'content', text: '네', final: true, sequenceId: 2 });
    await tick();
    expect(t.stream.spoken.map((s) => [s.kind, s.turn])).toEqual([['greeting', 0], ['answer', 1]]);
  });

  it('silence after a heard reply: REPROMPT, REPROMPT, then GOODBYE and close; caller speech holds the timer until a reply is heard again', async () => {
    const t = setup();
    t.stream.spoken[0]!.settle({});
    await tick();
    t.timers.advance(1999);
    expect(t.stream.spoken).toHaveLength(1);
    t.timers.advance(1);
    expect(t.stream.spoken.map((s) => s.kind)).toEqual(['greeting', 'reprompt']);
    t.stream.spoken[1]!.settle({});
    await tick();
    t.listener.onSpeech({ type: 'speech-start', onsetAt: 0, detectedAt: 0 }); // the caller starts, then says nothing final
    t.timers.advance(5000);
    expect(t.stream.spoken).toHaveLength(2);
    t.stream.spoken[1]!.settle({}); // (ignored: already settled)
    t.conv.say('잠시만요');
    t.stream.spoken[2]!.settle({});
    await tick();
    t.timers.advance(2000);
    t.stream.spoken[3]!.settle({});
    await tick();
    t.timers.advance(2000);
    expect(t.stream.spoken.map((s) => s.kind)).toEqual(['greeting', 'reprompt', 'operator', 'reprompt', 'goodbye']);
    t.stream.spoken[4]!.settle({});
    await tick();
    expect(t.stream.closed).toEqual(['goodbye']);
    expect(t.conv.ended).toBe('goodbye');
    expect(t.timers.size).toBe(0);
  });

  it('every end stops the silence timer: stream ended, call ended, manager stopped', async () => {
    const t = setup();
    t.stream.spoken[0]!.settle({});
    await tick();
    expect(t.timers.size).toBe(1);
    t.listener.onEnded('stop');
    expect(t.timers.size).toBe(0);
    expect(t.conv.ended).toBe('hangup');
    const w = setup();
    w.listener.onEnded('socket-closed-1006');
    expect(w.conv.ended).toBe('stream-lost');
    w.post({ kind: 'content', text: '여보세요', final: true, sequenceId: 1 });
    await tick();
    expect(w.ofType('bot.decision')).toHaveLength(0); // the <Gather> after the stream answers instead
    const u = setup();
    u.stream.spoken[0]!.settle({});
    await tick();
    u.registry.apply(SID, { type: 'call.ended', reason: 'completed' });
    expect(u.timers.size).toBe(0);
    expect(u.manager.has(SID)).toBe(false);
    const v = setup();
    v.stream.spoken[0]!.settle({});
    await tick();
    v.manager.stop();
    expect(v.timers.size).toBe(0);
  });

  it('a keyword hands off (agent_requested alert); a newer turn while deciding drops the older answer', async () => {
    const t = setup();
    t.post({ kind: 'content', text: '상담원 부탁해요', final: true, sequenceId: 1 });
    await tick();
    await tick();
    expect(t.handoffs).toEqual(['keyword']);
    expect(t.registry.get(SID)!.alerts.map((a) => a.kind)).toContain('agent_requested');
    let release!: () => void;
    const slow: Bot = { decide: (i) => new Promise((r) => (release = () => r({ action: 'say', say: `a${i.turn}`, decidedBy: 'bot_url', ms: 5 }))) };
    const u = setup({}, slow);
    u.post({ kind: 'content', text: '하나', final: true, sequenceId: 1 });
    await tick();
    const first = release;
    u.post({ kind: 'content', text: '둘', final: true, sequenceId: 2 });
    await tick();
    first();
    await tick();
    release();
    await tick();
    expect(u.stream.spoken.map((s) => s.text)).toEqual(['안녕하세요. 프론트도어 음성 안내입니다. 무엇을 도와드릴까요?', 'a2']);
    expect(u.ofType('turn.latency').map((l) => l.turn).sort()).toEqual([1]); // turn 2's comes when its answer is heard
  });

  it('transcription lifecycle events and a plain-words alert on error; muted: answers are not spoken', async () => {
    const t = setup();
    t.post({ kind: 'started' });
    t.post({ kind: 'error', sequenceId: 5 }, { TranscriptionError: 'engine unavailable', TranscriptionErrorCode: '32650' });
    expect(t.ofType('transcription').map((e) => e.status)).toEqual(['started', 'error']);
    expect(t.registry.get(SID)!.alerts.find((a) => a.kind === 'transcription_error')?.message).toMatch(/Live transcription failed: engine unavailable \(code 32650\)/);
    t.conv.setMuted(true);
    t.post({ kind: 'content', text: '여보세요', final: true, sequenceId: 6 });
    await tick();
    expect(t.stream.spoken.map((s) => s.kind)).toEqual(['greeting']);
    expect(t.ofType('bot.muted')).toEqual([expect.objectContaining({ muted: true })]);
  });
});
