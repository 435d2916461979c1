// One caller of the turns suite, as Twilio drives a streamed conversation (issue 11): a signed /voice_stream whose
// TwiML carries <Start><Transcription> and <Connect><Stream> (the host's grant among the <Parameter>s), the one Media
// Stream opened with those parameters in its start, and Twilio Real-Time Transcription's signed callbacks for what
// the caller says: started, partials while they talk, then the final. Each turn starts once the previous reply has
// been received and played (modelled: no jitter buffer) and its marks echoed; the final's POST -> the first frame of
// the answer on the wire is the turn's latency. Runs in the load generator; the I/O comes in as deps.
import { randomBytes } from 'node:crypto';
import type { TwilioStream } from './twilio-stream';
import { streamOfTwiml, type TurnRecord } from './turns';

export interface CallerDeps {
  /** Signed webhook POST to the host (publicUrl + path signed); resolves with the answer. */
  post(path: string, params: Record<string, string>): Promise<{ status: number; body: string }>;
  /** Open the Media Stream Twilio would open for this <Stream url> and parameters (ticked by the shared clock). */
  openStream(p: { streamUrl: string; callSid: string; customParameters: Record<string, string> }): Promise<TwilioStream>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface CallerOptions {
  accountSid: string;
  turns: number;
  /** Audio bytes of every reply (the stand-in uploads the same parts for every job). */
  replyBytes: number;
  /** Partial results before each final, this far apart; the final follows the last partial after finalAfterMs. */
  partials: number;
  partialGapMs: number;
  finalAfterMs: number;
  /** Silence after a reply has played before the caller's next words. */
  pauseAfterReplyMs: number;
  /** Give up on one reply after this long. */
  replyTimeoutMs: number;
}

export interface CallerResult {
  callSid: string;
  turns: TurnRecord[];
  /** What went wrong, if the conversation did not run to its end. */
  error: string | null;
  /** Transcription callbacks that did not get a 2xx. */
  refusedCallbacks: number;
  closeCode: number | null;
}

const SENTENCES = ['내일 오후 세 시로 예약을 바꾸고 싶어요', '주차는 어디에 하면 되나요', '영업시간이 어떻게 되나요', '택배가 아직 안 왔어요', '카드 결제도 되나요', '환불은 며칠 걸리나요'];

/** The words heard so far of a sentence, as partial results grow (k of n parts). */
export function partialText(sentence: string, k: number, n: number): string {
  const words = sentence.split(' ');
  return words.slice(0, Math.max(1, Math.ceil((words.length * k) / (n + 1)))).join(' ');
}

export async function runCaller(d: CallerDeps, o: CallerOptions): Promise<CallerResult> {
  const callSid = `CA${randomBytes(16).toString('hex')}`;
  const turns: TurnRecord[] = [];
  let refused = 0;
  let stream: TwilioStream | null = null;
  const tsid = `GT${randomBytes(16).toString('hex')}`;
  let seq = 0;
  const callParams = { CallSid: callSid, AccountSid: o.accountSid, From: '+821012345678', To: '+15005550006', Caller: '+821012345678', Called: '+15005550006', CallStatus: 'in-progress', Direction: 'inbound', ApiVersion: '2010-04-01' };
  const transcription = async (event: string, extra: Record<string, string> = {}) => {
    const r = await d.post('/transcription', { ...callParams, TranscriptionEvent: `transcription-${event}`, TranscriptionSid: tsid, SequenceId: String(++seq), Track: 'inbound_track', LanguageCode: 'ko-KR', Timestamp: new Date().toISOString(), ...extra });
    if (r.status < 200 || r.status > 299) refused++;
    return r;
  };
  const words = (text: string, final: boolean) =>
    transcription('content', { Final: String(final), Stability: final ? '1' : '0.7', TranscriptionData: JSON.stringify({ transcript: text, confidence: 0.92 }) });
  // media arrivals: bytes of the reply being played and its modelled playout end
  let replyBytes = 0;
  let playoutEnd = 0;
  let waitFrom = Number.POSITIVE_INFINITY;
  let onFirst: ((at: number) => void) | null = null;
  const result = (error: string | null): CallerResult => ({ callSid, turns, error, refusedCallbacks: refused, closeCode: stream?.closeCode ?? null });
  try {
    const answer = await d.post('/voice_stream', callParams);
    if (answer.status !== 200) return result(`/voice_stream answered ${answer.status}`);
    const tw = streamOfTwiml(answer.body);
    if (!tw.transcription) return result('the /voice_stream TwiML has no <Start><Transcription>');
    stream = await d.openStream({ streamUrl: tw.url, callSid, customParameters: tw.parameters });
    stream.onMedia = (bytes, at) => {
      replyBytes += bytes;
      playoutEnd = Math.max(playoutEnd, at) + bytes / 8;
      if (onFirst && at >= waitFrom) {
        const f = onFirst;
        onFirst = null;
        f(at);
      }
    };
    const s = stream;
    const played = async (what: string): Promise<string | null> => {
      const t0 = d.now();
      for (;;) {
        if (s.closeCode !== null) return `the stream closed (${s.closeCode}) during ${what}`;
        const now = d.now();
        if (replyBytes >= o.replyBytes && now >= playoutEnd + o.pauseAfterReplyMs && s.pendingMarks === 0) return null;
        if (now - t0 > o.replyTimeoutMs) return `${what}: ${replyBytes} of ${o.replyBytes} bytes after ${o.replyTimeoutMs} ms`;
        await d.sleep(20);
      }
    };
    const greeting = await played('the greeting');
    if (greeting) return result(greeting);
    await transcription('started');
    for (let turn = 1; turn <= o.turns; turn++) {
      const sentence = SENTENCES[(turn - 1) % SENTENCES.length]!;
      for (let k = 1; k <= o.partials; k++) {
        await words(partialText(sentence, k, o.partials), false);
        await d.sleep(k < o.partials ? o.partialGapMs : o.finalAfterMs);
      }
      replyBytes = 0;
      const record: TurnRecord = { callSid, turn, finalPostAt: d.now(), finalAckAt: null, firstFrameAt: null };
      turns.push(record);
      waitFrom = record.finalPostAt;
      const first = new Promise<number>((resolve) => (onFirst = resolve));
      const ack = await words(sentence, true);
      if (ack.status >= 200 && ack.status <= 299) record.finalAckAt = d.now();
      const timeout = d.sleep(o.replyTimeoutMs).then(() => null);
      record.firstFrameAt = await Promise.race([first, timeout]);
      onFirst = null;
      if (record.firstFrameAt === null) return result(`turn ${turn}: no answer within ${o.replyTimeoutMs} ms`);
      const why = await played(`the answer of turn ${turn}`);
      if (why) return result(why);
    }
    await transcription('stopped');
    return result(null);
  } catch (err) {
    return result(err instanceof Error ? err.message : String(err));
  } finally {
    if (stream && stream.closeCode === null) stream.hangUp();
  }
}
