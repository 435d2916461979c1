import { describe, expect, it } from 'vitest';
import { APOLOGY, CALL, partAudio, playing, setup, SID, tick } from '../../../test/helpers/session-harness';

describe('MediaSession: a reply end to end (fake TTS, injected clock)', () => {
  it('speaks the text, paces frames, marks each part and the end, closes with 1000 after the end is heard', async () => {
    const t = setup();
    t.start();
    const reply = t.replies[0]!;
    expect(reply.replyId).toBe('r1');
    reply.start();
    await tick();
    reply.deliver(0, partAudio(0, 1000), t.timers.t);
    await tick();
    t.timers.flush();
    expect(t.media().length).toBe(6); // 100 ms lead + 1 frame
    t.timers.advance(40);
    reply.deliver(1, partAudio(1, 777), t.timers.t);
    reply.complete();
    await tick();
    t.timers.advance(2000);
    const payload = Buffer.concat(t.media().map((m) => Buffer.from(m.media.payload, 'base64')));
    const expected = Buffer.concat([partAudio(0, 1000), partAudio(1, 777)]);
    expect(payload.subarray(0, expected.length).equals(expected)).toBe(true);
    expect(payload.length).toBe(Math.ceil(1777 / 160) * 160);
    expect(t.marks()).toEqual(['r1:part0', 'r1:part1', 'r1:end']);
    expect(t.sent.every((m) => (m as { streamSid: string }).streamSid === SID)).toBe(true);
    expect(t.closes).toEqual([]);
    for (const name of t.marks()) t.echo(name);
    expect(t.closes).toEqual([[1000, 'reply-played']]);
    t.timers.flush();
    expect(t.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'done']);
    expect(t.ofType('tts.job')[1]!.firstAudioMs).toBe(0);
    const parts = t.ofType('tts.part').map((e) => e.part);
    expect(parts.map((p) => [p.part, p.bytes])).toEqual([[0, 1000], [1, 777]]);
    expect(parts[1]!.flags).toContain('padded-last-frame');
    expect(parts.every((p) => p.firstFrameAt !== undefined && p.lastFrameAt! >= p.firstFrameAt!)).toBe(true);
    expect(t.ofType('mark').filter((e) => e.outcome === 'played').length).toBe(3);
    expect(t.ofType('stream.stopped')).toMatchObject([{ streamSid: SID, reason: 'reply-played' }]);
    expect(t.registry.get(CALL)?.streamSid).toBe(SID);
    expect(reply.queued.length).toBeGreaterThan(0);
    expect(t.timers.size).toBe(0);
  });

  it('reports an underrun once per reply when a part is late, and keeps playing after it', async () => {
    const t = setup();
    const reply = await playing(t, 1600);
    t.timers.advance(1000); // part 1 is late: the queue runs dry
    reply.deliver(1, partAudio(1, 1600));
    reply.complete();
    await tick();
    t.timers.advance(100);
    t.session.windowTick(t.timers.t);
    t.timers.flush();
    const alerts = t.ofType('alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.alert.kind).toBe('underrun');
    expect(alerts[0]!.alert.message).toMatch(/part 1 was late/);
    expect(t.ofType('pacing').some((e) => e.window.underruns === 1)).toBe(true);
    t.timers.advance(1000);
    expect(t.media().length).toBe(20);
  });

  it('emits pacing windows with lateness samples, lead and mark counts', async () => {
    const t = setup();
    await playing(t, 8000);
    t.timers.advance(250);
    t.session.windowTick(t.timers.t);
    t.timers.flush();
    const w = t.ofType('pacing')[0]!.window;
    expect(w.streamSid).toBe(SID);
    expect(w.frames).toBe(6 + 12);
    expect(w.samples.length).toBe(18);
    expect(w.latenessMax).toBe(0);
    expect(w.leadMs).toBeGreaterThanOrEqual(100);
    expect(w.leadMs).toBeLessThanOrEqual(120);
    t.session.windowTick(t.timers.t); // nothing new: no event
    t.timers.flush();
    expect(t.ofType('pacing')).toHaveLength(1);
  });
});

describe('MediaSession: stop, failures, bad input', () => {
  it('stop ends the session: reply cancelled, nothing sent after, stream.stopped', async () => {
    const t = setup();
    await playing(t, 8000);
    t.timers.advance(100);
    t.msg({ event: 'stop', sequenceNumber: '9', streamSid: SID, stop: { accountSid: 'AC1', callSid: CALL } });
    const count = t.sent.length;
    t.timers.advance(2000);
    expect(t.sent.length).toBe(count);
    expect(t.replies[0]!.cancelled).toBe('stop');
    expect(t.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'cancelled']);
    expect(t.ofType('stream.stopped')[0]!.reason).toBe('stop');
    expect(t.ofType('tts.part')[0]!.part.flags).toContain('not-sent:stop');
    expect(t.timers.size).toBe(0);
  });

  it('a job that cannot start: tts.job failed, the apology plays, then the stream closes', async () => {
    const t = setup();
    t.start();
    t.replies[0]!.failStart('TTS_URL answered 503');
    await tick();
    t.timers.advance(1000);
    const payload = Buffer.concat(t.media().map((m) => Buffer.from(m.media.payload, 'base64')));
    expect(payload.equals(APOLOGY)).toBe(true);
    expect(t.marks()).toEqual(['r1:apology', 'r1:end']);
    t.echo('r1:apology');
    t.echo('r1:end');
    t.timers.flush();
    expect(t.ofType('tts.job')).toMatchObject([{ status: 'failed', error: 'TTS_URL answered 503' }]);
    expect(t.registry.get(CALL)!.alerts.map((a) => a.kind)).toContain('tts_error');
    expect(t.closes).toEqual([[1000, 'reply-played']]);
  });

  it('a part that fails mid-reply: what was received plays, then the apology', async () => {
    const t = setup();
    const reply = await playing(t, 1000);
    reply.failPart('part1.wav is not mu-law');
    await tick();
    t.timers.advance(1000);
    const payload = Buffer.concat(t.media().map((m) => Buffer.from(m.media.payload, 'base64')));
    expect(payload.equals(Buffer.concat([partAudio(0, 1000), APOLOGY, Buffer.alloc(payload.length - 1800, 0xff)]))).toBe(true);
    t.timers.flush();
    expect(t.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'failed']);
  });

  it('malformed, unknown and misdirected messages are counted, reported once and harmless', async () => {
    const t = setup();
    t.session.handleRaw(Buffer.from([1, 2, 3]), true);
    t.start();
    t.replies[0]!.start();
    await tick();
    t.session.handleRaw('{not json', false);
    t.msg({ event: 'hello' });
    t.msg({ event: 'media', sequenceNumber: '3', streamSid: 'MZother', media: { track: 'inbound', chunk: '1', timestamp: '0', payload: '' } });
    t.msg({ event: 'media', sequenceNumber: 3, streamSid: SID });
    t.echo('never-sent');
    t.msg({ event: 'dtmf', sequenceNumber: '4', streamSid: SID, dtmf: { track: 'inbound_track', digit: '5' } });
    t.timers.flush();
    expect(t.session.problems).toEqual({ binary: 1, json: 1, 'unknown-event': 1, 'wrong-stream': 1, schema: 1, 'unknown-mark': 1 });
    expect(t.ofType('error')).toHaveLength(1);
    expect(t.ofType('dtmf')[0]!.digit).toBe('5');
    expect(t.session.phase).toBe('streaming');
  });

  it('a start without text is an operator-visible error and the stream closes so the TwiML goes on', () => {
    const t = setup({ text: null });
    t.start();
    t.timers.flush();
    expect(t.ofType('error')[0]!.code).toBe('media-no-text');
    expect(t.closes).toEqual([[1000, 'no-text']]);
    expect(t.replies).toHaveLength(0);
  });
});
