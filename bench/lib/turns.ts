// Turn latency of a streamed conversation (issue 11), pure: what the load generator saw (the final transcript's
// POST, the answer's first frame on the wire), what the TTS stand-in saw (the job's POST, part 0 landing, the poll
// GET that found it) and what the host said (turn.latency: final -> decision -> TTS job -> first frame) joined per
// caller turn. All bench times are epoch ms from performance.timeOrigin + performance.now() in each process; the
// host's own turn.latency stamps are its clock (Date.now) and are only ever subtracted from each other.
//
// Split of one turn (final POST -> first frame of the answer on the wire):
//   synthesis  = job POST (at the stand-in) -> part 0 landed         (the TTS service's work: not the host's)
//   poll wait  = part 0 landed -> the poll GET that found it          (S3 polling, bounded by the GET budget)
//   host share = total - synthesis - poll wait
//              = (final POST -> job POST) + (found GET -> first frame) (webhook, decision, job POST; GET, framing, send)
import type { TurnLatencyTap } from '../procs/host';
import { summarize, type Summary } from './stats';

/** One caller turn as the load generator drove it. */
export interface TurnRecord {
  callSid: string;
  /** 1-based caller turn (the greeting is turn 0, not measured). */
  turn: number;
  /** Just before the final transcription callback was sent. */
  finalPostAt: number;
  /** Its 2xx arrived (null: it failed). */
  finalAckAt: number | null;
  /** The first media frame that arrived after finalPostAt (null: no answer came). */
  firstFrameAt: number | null;
}

/** What the turn analysis needs of a TTS job (bench/procs/cloud.ts JobRecord). */
export interface TurnJob {
  callSid: string;
  postedAt: number;
  landedAt: number[];
  part0FoundAt?: number;
}

export interface TurnNumbers {
  turns: number;
  /** Turns with an answer, its TTS job and the GET that found part 0 (the ones in every summary below). */
  matched: number;
  /** Turns whose answer never arrived. */
  unanswered: number;
  /** Turns answered but with no job / landing / finding GET to split them by. */
  unmatched: number;
  total: Summary;
  synthesis: Summary;
  pollWait: Summary;
  hostShare: Summary;
  /** final POST -> job POST at the stand-in (webhook, transcription parse, bot decision, TTS job request). */
  finalToJob: Summary;
  /** the GET that found part 0 -> first frame on the wire (GET answer, WAV parse, framing, pacer, socket). */
  foundToFrame: Summary;
  /** host clock: finalAt -> decidedAt (the bot's decision) and decidedAt -> ttsJobAt (the job's POST answered). */
  hostDecision: Summary;
  hostDecidedToJob: Summary;
  /** final POST -> its 2xx at the load generator. */
  finalAck: Summary;
}

/** The answer's TTS job: the call's first job posted at or after the final (1 ms of cross-process slack). */
export function jobForTurn(jobs: TurnJob[], t: Pick<TurnRecord, 'callSid' | 'finalPostAt'>): TurnJob | undefined {
  let best: TurnJob | undefined;
  for (const j of jobs) {
    if (j.callSid !== t.callSid || j.postedAt < t.finalPostAt - 1) continue;
    if (!best || j.postedAt < best.postedAt) best = j;
  }
  return best;
}

export function turnNumbers(turns: TurnRecord[], jobs: TurnJob[], host: TurnLatencyTap[]): TurnNumbers {
  const byCall = new Map<string, TurnJob[]>();
  for (const j of jobs) byCall.set(j.callSid, [...(byCall.get(j.callSid) ?? []), j]);
  const hostOf = new Map(host.map((h) => [`${h.callSid}#${h.turn}`, h]));
  const total: number[] = [];
  const synthesis: number[] = [];
  const pollWait: number[] = [];
  const hostShare: number[] = [];
  const finalToJob: number[] = [];
  const foundToFrame: number[] = [];
  const hostDecision: number[] = [];
  const hostDecidedToJob: number[] = [];
  const finalAck: number[] = [];
  let unanswered = 0;
  let unmatched = 0;
  for (const t of turns) {
    if (t.finalAckAt !== null) finalAck.push(t.finalAckAt - t.finalPostAt);
    const h = hostOf.get(`${t.callSid}#${t.turn}`);
    if (h?.decidedAt !== undefined) hostDecision.push(h.decidedAt - h.finalAt);
    if (h?.decidedAt !== undefined && h.ttsJobAt !== undefined) hostDecidedToJob.push(h.ttsJobAt - h.decidedAt);
    if (t.firstFrameAt === null) {
      unanswered++;
      continue;
    }
    const job = jobForTurn(byCall.get(t.callSid) ?? [], t);
    const landed = job?.landedAt[0];
    if (!job || landed === undefined || job.part0FoundAt === undefined || job.postedAt > t.firstFrameAt) {
      unmatched++;
      continue;
    }
    const all = t.firstFrameAt - t.finalPostAt;
    total.push(all);
    synthesis.push(landed - job.postedAt);
    pollWait.push(job.part0FoundAt - landed);
    finalToJob.push(job.postedAt - t.finalPostAt);
    foundToFrame.push(t.firstFrameAt - job.part0FoundAt);
    hostShare.push(all - (job.part0FoundAt - job.postedAt));
  }
  return {
    turns: turns.length,
    matched: total.length,
    unanswered,
    unmatched,
    total: summarize(total),
    synthesis: summarize(synthesis),
    pollWait: summarize(pollWait),
    hostShare: summarize(hostShare),
    finalToJob: summarize(finalToJob),
    foundToFrame: summarize(foundToFrame),
    hostDecision: summarize(hostDecision),
    hostDecidedToJob: summarize(hostDecidedToJob),
    finalAck: summarize(finalAck),
  };
}

export interface TwimlStream {
  /** <Stream url>: what the upgrade's signature covers. */
  url: string;
  /** <Parameter name value> under the <Stream> (start.customParameters: text, grant). */
  parameters: Record<string, string>;
  /** A <Start><Transcription> came before the stream (the streamed conversation's TwiML). */
  transcription: boolean;
}

const unescapeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-f]+));/gi, (_, name: string, dec?: string, hex?: string) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[name.toLowerCase()]!,
  );

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*("([^"]*)"|'([^']*)')/g)) out[m[1]!] = unescapeXml(m[3] ?? m[4] ?? '');
  return out;
}

/** The <Connect><Stream> of a /voice_stream answer, as Twilio reads it; throws when there is none. */
export function streamOfTwiml(xml: string): TwimlStream {
  const open = /<Stream\b([^>]*?)(\/?)>/.exec(xml);
  if (!open) throw new Error(`no <Stream> in the TwiML: ${xml.slice(0, 200)}`);
  const url = attrs(open[1]!).url;
  if (!url) throw new Error('<Stream> has no url');
  const parameters: Record<string, string> = {};
  if (open[2] !== '/') {
    const end = xml.indexOf('</Stream>', open.index);
    const body = xml.slice(open.index + open[0].length, end < 0 ? undefined : end);
    for (const m of body.matchAll(/<Parameter\b([^>]*?)\/?>/g)) {
      const a = attrs(m[1]!);
      if (a.name !== undefined) parameters[a.name] = a.value ?? '';
    }
  }
  return { url, parameters, transcription: /<Start>\s*<Transcription\b/.test(xml.slice(0, open.index)) };
}
