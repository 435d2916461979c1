import { describe, expect, it } from 'vitest';
import { buildWav, fmtChunk, riff } from '../sim/wav-writer';
import { estimateLanding, pollJob, type PollerDeps } from './poller';
import { NoticeBox } from './notices';
import { DEFAULT_TUNING, LandingModel } from './schedule';
import { TransientStoreError, TtsError, type AudioPart, type PartStore } from './types';

const audio = (n: number, seed = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 13 + seed) % 251));

/** An in-memory store whose objects appear when a test says so; `script` can override single GETs. */
class MemoryStore implements PartStore {
  objects = new Map<string, Buffer>();
  gets: string[] = [];
  script: Array<(key: string) => Buffer | null | Error | undefined> = [];
  onGet?: (key: string) => void;
  async get(key: string) {
    this.gets.push(key);
    this.onGet?.(key);
    const step = this.script.shift()?.(key);
    if (step instanceof Error) throw step;
    if (step !== undefined) return step === null ? null : { bytes: step };
    const bytes = this.objects.get(key);
    return bytes ? { bytes, lastModified: 1_000 } : null;
  }
  describe() {
    return 'memory';
  }
}

function deps(store: MemoryStore, over: Partial<PollerDeps> = {}): PollerDeps & { parts: AudioPart[] } {
  const parts: AudioPart[] = [];
  const controller = new AbortController();
  return {
    store,
    scheme: { prefix: 'tts', template: '{prefix}/{jobId}/part{n}.wav', firstIndex: 0 },
    jobId: 'j1',
    startedAt: Date.now(),
    model: new LandingModel(),
    // a fast schedule keeps these tests quick; the schedule itself is tested in schedule.test.ts
    tuning: { ...DEFAULT_TUNING, denseMs: 1, sparseMs: 5, relaxedMaxMs: 5, lateMaxMs: 5, doneEveryMs: 20, initialTokens: 1000, burst: 1000, ratePerSec: 1000 },
    idleTimeoutMs: 5000,
    now: Date.now,
    signal: controller.signal,
    queuedMs: () => 0,
    onRequest: () => undefined,
    onPart: (p) => parts.push(p),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    parts,
    ...over,
  };
}

describe('pollJob', () => {
  it('yields every part in order and ends on the done marker', async () => {
    const store = new MemoryStore();
    const a = [audio(9600, 1), audio(9600, 2), audio(3787, 3)];
    a.forEach((x, i) => store.objects.set(`tts/j1/part${i}.wav`, buildWav(x, (['sox', 'ffmpeg', 'streamed'] as const)[i]!)));
    store.objects.set('tts/j1/done', Buffer.alloc(0));
    const d = deps(store);
    await expect(pollJob(d)).resolves.toBe('done');
    expect(d.parts.map((p) => [p.part, p.key, p.bytes, p.audioMs])).toEqual([
      [0, 'tts/j1/part0.wav', 9600, 1200],
      [1, 'tts/j1/part1.wav', 9600, 1200],
      [2, 'tts/j1/part2.wav', 3787, 473.375],
    ]);
    expect(Buffer.compare(Buffer.concat(d.parts.map((p) => p.audio)), Buffer.concat(a))).toBe(0);
    expect(d.parts[0]!.landedAt).toBe(1_000);
  });

  it('parts that appear while polling are picked up; done is checked only after a miss', async () => {
    const store = new MemoryStore();
    let gets = 0;
    store.onGet = () => {
      gets++;
      if (gets === 3) store.objects.set('tts/j1/part0.wav', buildWav(audio(160), 'sox'));
      if (gets === 6) store.objects.set('tts/j1/part1.wav', buildWav(audio(160), 'plain44'));
      if (gets === 9) store.objects.set('tts/j1/done', Buffer.alloc(0));
    };
    const d = deps(store);
    await expect(pollJob(d)).resolves.toBe('done');
    expect(d.parts.map((p) => p.part)).toEqual([0, 1]);
    expect(store.gets.indexOf('tts/j1/done')).toBeGreaterThan(store.gets.indexOf('tts/j1/part0.wav'));
    expect(store.gets.filter((k) => k === 'tts/j1/part0.wav').length).toBeGreaterThanOrEqual(2);
  });

  it('the last part landing between the part miss and the done hit is not lost', async () => {
    const store = new MemoryStore();
    store.objects.set('tts/j1/part0.wav', buildWav(audio(100), 'sox'));
    store.onGet = (key) => {
      if (key === 'tts/j1/done') {
        store.objects.set('tts/j1/part1.wav', buildWav(audio(50), 'sox'));
        store.objects.set('tts/j1/done', Buffer.alloc(0));
      }
    };
    const d = deps(store);
    await expect(pollJob(d)).resolves.toBe('done');
    expect(d.parts.map((p) => p.part)).toEqual([0, 1]);
  });

  it('FIRST_PART_INDEX and the key template are honoured', async () => {
    const store = new MemoryStore();
    store.objects.set('v/j1-1.wav', buildWav(audio(10), 'sox'));
    store.objects.set('v/j1/done', Buffer.alloc(0));
    const d = deps(store, { scheme: { prefix: 'v', template: '{prefix}/{jobId}-{n}.wav', firstIndex: 1 } });
    await expect(pollJob(d)).resolves.toBe('done');
    expect(d.parts.map((p) => p.key)).toEqual(['v/j1-1.wav']);
  });

  it('a job quiet after a part with no done marker was cut short (TtsError timeout); with requireDone false it is complete', async () => {
    const store = new MemoryStore();
    store.objects.set('tts/j1/part0.wav', buildWav(audio(10), 'sox'));
    const fast = { idleTimeoutMs: 100, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5))) };
    const cut = await pollJob(deps(store, fast)).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(TtsError);
    expect((cut as TtsError).kind).toBe('timeout');
    expect((cut as TtsError).message).toMatch(/part tts\/j1\/part1\.wav did not come within JOB_IDLE_TIMEOUT_MS \(100 ms\).*no done marker/);
    await expect(pollJob(deps(store, { ...fast, requireDone: false }))).resolves.toBe('idle');
    const err = await pollJob(deps(new MemoryStore(), { idleTimeoutMs: 100 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TtsError);
    expect((err as TtsError).kind).toBe('timeout');
    expect((err as TtsError).message).toMatch(/no part at tts\/j1\/part0\.wav within JOB_IDLE_TIMEOUT_MS \(100 ms\)/);
  });

  it('a transient failure is never a miss: after the done marker, a failed read of the next part is tried again, not "done"', async () => {
    const store = new MemoryStore();
    store.objects.set('tts/j1/part0.wav', buildWav(audio(10), 'sox'));
    store.objects.set('tts/j1/part1.wav', buildWav(audio(12), 'sox'));
    store.objects.set('tts/j1/done', Buffer.alloc(0));
    let part1Reads = 0;
    store.script = [];
    store.onGet = (key) => {
      if (key.endsWith('part1.wav') && part1Reads++ === 0) store.script.unshift(() => new TransientStoreError('S3 unreachable: ECONNRESET', 'store'));
    };
    const d = deps(store);
    await expect(pollJob(d)).resolves.toBe('done');
    expect(d.parts.map((p) => p.part)).toEqual([0, 1]);
  });

  it('a GET that hangs is aborted at the idle deadline (the store sees its signal abort) and the job fails at once', async () => {
    let aborted = 0;
    const hanging: PartStore = {
      get: (_key, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener('abort', () => {
            aborted++;
            reject(signal.reason);
          });
        }),
      describe: () => 'hanging',
    };
    const t0 = Date.now();
    const err = await pollJob(deps(hanging as MemoryStore, { idleTimeoutMs: 150, startedAt: t0 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TtsError);
    expect((err as TtsError).kind).toBe('timeout');
    expect(aborted).toBe(1);
    expect(Date.now() - t0).toBeLessThan(3000); // generous: the deadline is 150 ms, a hanging store would be forever
  });

  it('a done-marker GET that hangs is only a miss: bounded by readTimeoutMs, then the part is found', async () => {
    const store = new MemoryStore();
    store.objects.set('tts/j1/part0.wav', buildWav(audio(10), 'sox'));
    const doneHangs: PartStore = {
      get: (key, signal) => {
        if (key.endsWith('/done') && !store.objects.has('tts/j1/part1.wav')) {
          return new Promise((_r, reject) => signal?.addEventListener('abort', () => {
            store.objects.set('tts/j1/part1.wav', buildWav(audio(10), 'sox'));
            store.objects.set('tts/j1/done', Buffer.alloc(0));
            reject(signal.reason);
          }));
        }
        return store.get(key);
      },
      describe: () => 'done hangs',
    };
    const d = deps(doneHangs as MemoryStore, { readTimeoutMs: 50 });
    await expect(pollJob(d)).resolves.toBe('done');
    expect(d.parts.map((p) => p.part)).toEqual([0, 1]);
  });

  it('a part cut short is read once more; a complete second read wins', async () => {
    const store = new MemoryStore();
    const full = buildWav(audio(4000), 'sox');
    store.script = [() => full.subarray(0, 1000)];
    store.objects.set('tts/j1/part0.wav', full);
    store.objects.set('tts/j1/done', Buffer.alloc(0));
    const d = deps(store);
    await pollJob(d);
    expect(d.parts[0]!.bytes).toBe(4000);
    expect(d.parts[0]!.flags).toEqual([]);
    expect(store.gets.slice(0, 2)).toEqual(['tts/j1/part0.wav', 'tts/j1/part0.wav']);
  });

  it('a part still short on the second read is played as it is and flagged partial-read', async () => {
    const store = new MemoryStore();
    const full = buildWav(audio(4000), 'sox');
    store.script = [() => full.subarray(0, 1000), () => full.subarray(0, 2000)];
    store.objects.set('tts/j1/part0.wav', full);
    store.objects.set('tts/j1/part1.wav', buildWav(audio(10), 'sox'));
    store.objects.set('tts/j1/done', Buffer.alloc(0));
    const d = deps(store);
    await pollJob(d);
    expect(d.parts[0]!.bytes).toBe(2000 - 58);
    expect(d.parts[0]!.flags).toEqual(['short-data', 'partial-read']);
    expect(d.parts[1]!.flags).toEqual([]);
  });

  it('an empty object (created, not yet written) is read once more', async () => {
    const store = new MemoryStore();
    store.script = [() => Buffer.alloc(0)];
    store.objects.set('tts/j1/part0.wav', buildWav(audio(100), 'sox'));
    store.objects.set('tts/j1/done', Buffer.alloc(0));
    const d = deps(store);
    await pollJob(d);
    expect(d.parts.map((p) => [p.bytes, p.flags])).toEqual([[100, []]]);
  });

  it('a header cut short twice is a TtsError(part)', async () => {
    const store = new MemoryStore();
    const full = buildWav(audio(4000), 'sox');
    store.script = [() => full.subarray(0, 20), () => full.subarray(0, 30)];
    const err = await pollJob(deps(store)).catch((e: unknown) => e);
    expect((err as TtsError).kind).toBe('part');
    expect((err as TtsError).message).toMatch(/TTS part tts\/j1\/part0\.wav is unreadable: .*runs past the end/);
  });

  it.each([
    ['A-law', riff([fmtChunk({ audioFormat: 6 }), { id: 'data', body: audio(10) }]), /TTS part tts\/j1\/part0\.wav: unsupported audio: A-law 8000 Hz mono 8-bit/],
    ['not a WAV', Buffer.from('<Error>oops</Error>'), /is unreadable: not a RIFF\/WAVE file/],
  ])('%s → TtsError(part) naming the key', async (_name, bytes, message) => {
    const store = new MemoryStore();
    store.objects.set('tts/j1/part0.wav', bytes);
    const err = await pollJob(deps(store)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TtsError);
    expect((err as TtsError).kind).toBe('part');
    expect((err as TtsError).message).toMatch(message);
  });

  it('PCM16 parts are converted and flagged', async () => {
    const store = new MemoryStore();
    store.objects.set('tts/j1/part0.wav', riff([fmtChunk({ audioFormat: 1, bitsPerSample: 16, size: 16 }), { id: 'data', body: Buffer.alloc(320) }]));
    store.objects.set('tts/j1/done', Buffer.alloc(0));
    const d = deps(store);
    await pollJob(d);
    expect(d.parts[0]).toMatchObject({ bytes: 160, audioMs: 20, flags: ['pcm16-converted'] });
    expect(d.parts[0]!.audio.every((b) => b === 0xff)).toBe(true);
  });

  it('transient store errors are retried; too many in a row fail the job', async () => {
    const store = new MemoryStore();
    store.script = [() => new TransientStoreError('503', 'store'), () => new TransientStoreError('503', 'store')];
    store.objects.set('tts/j1/part0.wav', buildWav(audio(10), 'sox'));
    store.objects.set('tts/j1/done', Buffer.alloc(0));
    const d = deps(store);
    await expect(pollJob(d)).resolves.toBe('done');
    expect(d.parts.length).toBe(1);

    const failing = new MemoryStore();
    failing.script = Array.from({ length: 5 }, () => () => new TransientStoreError('S3 error: HTTP 500', 'store'));
    const err = await pollJob(deps(failing)).catch((e: unknown) => e);
    expect((err as TtsError).message).toBe('S3 error: HTTP 500');
    expect(failing.gets.length).toBe(3);
  });

  it('a configuration error (403) fails at once, without another request', async () => {
    const store = new MemoryStore();
    store.script = [() => new TtsError('S3 refused …403', 'store')];
    const err = await pollJob(deps(store)).catch((e: unknown) => e);
    expect((err as TtsError).kind).toBe('store');
    expect(store.gets.length).toBe(1);
  });

  it('cancel: no request after the signal, the loop ends as cancelled', async () => {
    const store = new MemoryStore();
    const controller = new AbortController();
    store.onGet = () => {
      if (store.gets.length === 5) controller.abort();
    };
    const d = deps(store, { signal: controller.signal });
    await expect(pollJob(d)).resolves.toBe('cancelled');
    expect(store.gets.length).toBe(5);
  });

  it('counts every request', async () => {
    const store = new MemoryStore();
    store.objects.set('tts/j1/part0.wav', buildWav(audio(10), 'sox'));
    store.objects.set('tts/j1/done', Buffer.alloc(0));
    let requests = 0;
    await pollJob(deps(store, { onRequest: () => requests++ }));
    expect(requests).toBe(store.gets.length);
  });
});

describe('estimateLanding', () => {
  it.each([
    { name: 'bracket midpoint', miss: 100, lm: undefined, at: 110 },
    { name: 'no miss before: our GET', miss: undefined, lm: undefined, at: 120 },
    { name: 'precise LastModified inside the bracket', miss: 100, lm: 111.5, at: 111.5 },
    { name: 'second-resolution LastModified is ignored', miss: 100, lm: 0, at: 110 },
    { name: 'LastModified after we saw it is ignored (clock skew)', miss: 100, lm: 150.5, at: 110 },
  ])('$name', ({ miss, lm, at }) => {
    expect(estimateLanding(miss, 120, 123, lm)).toBe(at);
  });
});

describe('pollJob with part notices', () => {
  /** A schedule that cannot find anything by itself within a test: only notices can. */
  const slow = { ...DEFAULT_TUNING, denseMs: 60_000, sparseMs: 60_000, relaxedMaxMs: 60_000, lateMaxMs: 60_000, noticeSafetyMs: 60_000, doneEveryMs: 60_000, initialTokens: 1000, burst: 1000 };
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('fetches each announced part at once and ends on the done notice: one GET per part and the miss after done', async () => {
    const store = new MemoryStore();
    const box = new NoticeBox();
    const d = deps(store, { tuning: slow, notices: box, noticesTrusted: true });
    const polling = pollJob(d);
    await settle();
    expect(store.gets).toEqual([]); // trusted: no GET before a notice
    for (let n = 0; n < 3; n++) {
      store.objects.set(`tts/j1/part${n}.wav`, buildWav(audio(800, n), 'sox'));
      box.post({ part: n });
      await settle();
      expect(d.parts.map((p) => p.part)).toEqual(Array.from({ length: n + 1 }, (_, i) => i));
    }
    box.post({ done: true });
    await expect(polling).resolves.toBe('done');
    expect(store.gets).toEqual(['tts/j1/part0.wav', 'tts/j1/part1.wav', 'tts/j1/part2.wav', 'tts/j1/part3.wav']);
  });

  it('a duplicate or out-of-date notice costs no GET; a notice ahead of its part costs one, not a loop', async () => {
    const store = new MemoryStore();
    const box = new NoticeBox();
    const d = deps(store, { tuning: slow, notices: box, noticesTrusted: true });
    const polling = pollJob(d);
    store.objects.set('tts/j1/part0.wav', buildWav(audio(800), 'sox'));
    box.post({ part: 0 });
    await settle();
    box.post({ part: 0 }); // at least once: a repeat
    await settle();
    expect(store.gets).toEqual(['tts/j1/part0.wav']);
    box.post({ part: 1 }); // announced before it is readable (a service that notifies too early)
    await settle();
    await settle();
    expect(store.gets).toEqual(['tts/j1/part0.wav', 'tts/j1/part1.wav']);
    store.objects.set('tts/j1/part1.wav', buildWav(audio(800, 1), 'sox'));
    box.post({ done: true }); // done says look again: part1 is there now, then the miss after it
    await expect(polling).resolves.toBe('done');
    expect(d.parts.map((p) => p.part)).toEqual([0, 1]);
    expect(store.gets).toEqual(['tts/j1/part0.wav', 'tts/j1/part1.wav', 'tts/j1/part1.wav', 'tts/j1/part2.wav']);
  });

  it('a lost notice: the safety net still finds the part (polling never stops)', async () => {
    const store = new MemoryStore();
    const box = new NoticeBox();
    const d = deps(store, { tuning: { ...slow, noticeSafetyMs: 30, denseMs: 1, sparseMs: 5, lateMaxMs: 5, relaxedMaxMs: 5, doneEveryMs: 20 }, notices: box, noticesTrusted: true });
    store.objects.set('tts/j1/part0.wav', buildWav(audio(800), 'sox'));
    store.objects.set('tts/j1/done', Buffer.alloc(0));
    await expect(pollJob(d)).resolves.toBe('done'); // no notice at all
    expect(d.parts.map((p) => p.part)).toEqual([0]);
  });

  it('untrusted, it polls on the schedule until the job notifies, then only as a safety net', async () => {
    const store = new MemoryStore();
    const box = new NoticeBox();
    const tuning = { ...DEFAULT_TUNING, denseMs: 5, sparseMs: 5, relaxedMaxMs: 5, lateMaxMs: 5, noticeSafetyMs: 60_000, doneEveryMs: 60_000, initialTokens: 1000, burst: 1000, ratePerSec: 1000 };
    const d = deps(store, { tuning, notices: box });
    const polling = pollJob(d);
    await until(() => store.gets.length >= 3); // polling: part 0 not there yet
    store.objects.set('tts/j1/part0.wav', buildWav(audio(800), 'sox'));
    box.post({ part: 0 });
    await until(() => d.parts.length === 1);
    const after = store.gets.length;
    await settle();
    await settle();
    expect(store.gets.length).toBe(after); // noticed: no more polling within the safety gap
    box.post({ done: true });
    await expect(polling).resolves.toBe('done');
  });
});

async function until(test: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}
