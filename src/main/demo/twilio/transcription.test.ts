import { describe, expect, it } from 'vitest';
import { FINAL_DELAY_MS, SimTranscription, type TranscriptionDeps } from './transcription';
import type { StartTranscriptionVerb } from './twiml';
import type { Webhook } from './types';
import { VirtualClock } from './virtual-clock';

const VERB: StartTranscriptionVerb = {
  verb: 'start-transcription',
  name: 'fd-CA1',
  track: 'inbound_track',
  languageCode: 'ko-KR',
  partialResults: true,
  statusCallbackUrl: 'http://127.0.0.1:5000/transcription',
  statusCallbackMethod: 'POST',
};

function setup(verb: Partial<StartTranscriptionVerb> = {}, o: Partial<TranscriptionDeps> = {}) {
  const clock = new VirtualClock(1_000_000);
  const posted: Array<Webhook & { at: number }> = [];
  const work: Array<Promise<unknown>> = [];
  const t = new SimTranscription({
    callSid: 'CA1',
    accountSid: 'AC1',
    verb: { ...VERB, ...verb },
    now: clock.now,
    sleep: clock.sleep,
    post: (hook) => posted.push({ ...hook, at: clock.now() }),
    track: (p) => work.push(p),
    random: () => 0.5,
    duplicateRate: 0,
    ...o,
  });
  const settle = () => clock.run(Promise.all(work));
  const events = () => posted.map((p) => [p.params.TranscriptionEvent!.replace('transcription-', ''), p.params.SequenceId, p.params.Final ?? '', p.at - 1_000_000]);
  return { t, clock, posted, settle, events };
}

const transcript = (w: Webhook) => (JSON.parse(w.params.TranscriptionData!) as { transcript: string }).transcript;
const FINAL_AT = (speechMs: number) => speechMs + (FINAL_DELAY_MS[0] + FINAL_DELAY_MS[1]) / 2;

describe('SimTranscription', () => {
  it('started, one growing partial per word, the final after the end-pointing delay, stopped', async () => {
    const s = setup();
    s.t.hear({ text: '주문 취소하고 싶어요', confidence: 0.9, speechMs: 1500 });
    await s.settle();
    s.t.stop();
    s.t.stop(); // once
    expect(s.events()).toEqual([
      ['started', '1', '', 0],
      ['content', '2', 'false', Math.round((2 / 9) * 1500) + 250], // word lengths 2, 4, 3
      ['content', '3', 'false', Math.round((6 / 9) * 1500) + 250],
      ['content', '4', 'false', 1500 + 250],
      ['content', '5', 'true', FINAL_AT(1500)],
      ['stopped', '6', '', FINAL_AT(1500)],
    ]);
    expect(s.posted.slice(1, 5).map(transcript)).toEqual(['주문', '주문 취소하고', '주문 취소하고 싶어요', '주문 취소하고 싶어요']);
    expect(s.posted.slice(1, 4).map((p) => Number(p.params.Stability))).toEqual([0.5, 0.7, 0.9]);
    expect(JSON.parse(s.posted[4]!.params.TranscriptionData!)).toEqual({ transcript: '주문 취소하고 싶어요', confidence: 0.9 });
    expect(s.posted[0]!.params).toMatchObject({ CallSid: 'CA1', AccountSid: 'AC1', Track: 'inbound_track', TranscriptionSid: s.t.transcriptionSid });
    expect(s.posted[4]!.params).toMatchObject({ LanguageCode: 'ko-KR', Timestamp: new Date(1_000_000 + FINAL_AT(1500)).toISOString() });
  });

  it('without partialResults only finals; an outbound-only transcription hears no caller', async () => {
    const s = setup({ partialResults: false });
    s.t.hear({ text: '네', confidence: 0.8, speechMs: 300 });
    await s.settle();
    expect(s.events().map((e) => e[0])).toEqual(['started', 'content']);
    const out = setup({ track: 'outbound_track' });
    out.t.hear({ text: '네', confidence: 0.8, speechMs: 300 });
    await out.settle();
    expect(out.events().map((e) => e[0])).toEqual(['started']);
  });

  it('stop drops what was not posted yet', async () => {
    const s = setup();
    s.t.hear({ text: '배송이 언제 오나요?', confidence: 0.9, speechMs: 1500 });
    await s.clock.advance(800); // the first partial is due at 3/9 of 1.5 s + 250 ms
    s.t.stop();
    await s.settle();
    expect(s.events().map((e) => e[0])).toEqual(['started', 'content', 'stopped']);
    expect(s.t.active).toBe(false);
    s.t.hear({ text: '네', confidence: 0.8, speechMs: 300 });
    expect(s.posted).toHaveLength(3);
  });

  it('a retried event is the same request again (same SequenceId)', async () => {
    const s = setup({}, { duplicateRate: 1 });
    s.t.hear({ text: '네', confidence: 0.8, speechMs: 300 });
    await s.settle();
    expect(s.events().map((e) => `${e[0]}:${e[1]}`)).toEqual(['started:1', 'content:2', 'content:2', 'content:3', 'content:3']);
    expect(s.posted[1]!.params).toEqual(s.posted[2]!.params);
  });

  it('no statusCallbackUrl: it transcribes but posts nothing', async () => {
    const s = setup({ statusCallbackUrl: undefined });
    s.t.hear({ text: '네', confidence: 0.8, speechMs: 300 });
    await s.settle();
    s.t.stop();
    expect(s.posted).toEqual([]);
  });
});
