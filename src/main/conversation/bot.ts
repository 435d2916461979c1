// What the bot does with one final caller turn: say something, hand the call to a person, or hang up.
//
// Model: the seed's rules by default. A caller who says a HANDOFF_KEYWORDS word (상담원…) is always handed to a
// person, before any bot is asked: that promise must not depend on a remote service. Otherwise the words are echoed
// back ("…" 라고 말씀하셨어요). With BOT_URL set, the pilot's bot decides instead: POST JSON
// {callSid, turn, text, confidence, heardOfLastReply} -> {say, handoff?, hangup?}, within BOT_TIMEOUT_MS. When it
// fails (network, timeout, non-2xx, not JSON, wrong shape) the caller still gets an answer: an apology line then the
// echo, decidedBy 'fallback' with the error text, so the console shows why.
import { z } from 'zod';
import type { DecidedBy } from '../../shared/model';
import type { Logger } from '../log';
import { postJson, PostError } from '../net/post-json';
import { echoText, matchKeyword } from '../twiml/decide';

/** What the caller heard of the bot's previous reply (from mark echoes), when there was one. */
export interface HeardOfReply {
  text: string;
  heardMs: number;
  replyMs: number;
  interrupted: boolean;
}

export interface BotInput {
  callSid: string;
  turn: number;
  text: string;
  confidence?: number;
  heardOfLastReply?: HeardOfReply;
}

export interface BotDecision {
  action: 'say' | 'handoff' | 'hangup';
  /** For 'say' the reply; for 'hangup' the goodbye (if any); for 'handoff' words to say before the handoff prompt. */
  say?: string;
  decidedBy: DecidedBy;
  /** Time the decision took (BOT_URL's round trip included). */
  ms: number;
  /** Why BOT_URL was not followed (decidedBy 'fallback'). */
  error?: string;
}

export interface BotOptions {
  botUrl?: string;
  timeoutMs: number;
  keywords: readonly string[];
  log: Logger;
  now?: () => number;
  /** Said before the echo when BOT_URL failed. */
  apology?: string;
}

export interface Bot {
  decide(input: BotInput): Promise<BotDecision>;
}

export const DEFAULT_APOLOGY = '죄송해요, 잠시 문제가 있었어요.';
const MAX_SAY = 2000;

/** BOT_URL's answer. Unknown fields are ignored; `say` may be empty only when the call is handed off or ended. */
const answer = z
  .object({
    say: z.string({ error: 'say must be text' }).trim().max(MAX_SAY, `say is longer than ${MAX_SAY} characters`),
    handoff: z.boolean({ error: 'handoff must be true or false' }).optional(),
    hangup: z.boolean({ error: 'hangup must be true or false' }).optional(),
  })
  .refine((a) => a.say !== '' || a.handoff === true || a.hangup === true, 'say is empty');

type Answer = z.infer<typeof answer>;

function fromAnswer(a: Answer): Pick<BotDecision, 'action' | 'say'> {
  const say = a.say ? { say: a.say } : {};
  if (a.handoff) return { action: 'handoff', ...say };
  if (a.hangup) return { action: 'hangup', ...say };
  return { action: 'say', say: a.say };
}

function errorText(err: unknown, timeoutMs: number): string {
  if (err instanceof PostError) {
    if (err.reason === 'timeout') return `BOT_URL did not answer within ${timeoutMs} ms`;
    if (err.reason === 'network') return `BOT_URL could not be reached (${err.message})`;
    return `BOT_URL's answer broke off (${err.message})`;
  }
  return `BOT_URL failed: ${err instanceof Error ? err.message : String(err)}`;
}

export function createBot(o: BotOptions): Bot {
  const now = o.now ?? Date.now;
  const url = o.botUrl ? new URL(o.botUrl) : undefined;
  const apology = o.apology ?? DEFAULT_APOLOGY;

  async function ask(input: BotInput): Promise<{ ok: true; value: Answer } | { ok: false; error: string }> {
    const body = {
      callSid: input.callSid,
      turn: input.turn,
      text: input.text,
      confidence: input.confidence ?? null,
      heardOfLastReply: input.heardOfLastReply ?? null,
    };
    let res;
    try {
      res = await postJson(url!, body, { timeoutMs: o.timeoutMs });
    } catch (err) {
      return { ok: false, error: errorText(err, o.timeoutMs) };
    }
    if (res.status < 200 || res.status > 299) {
      return { ok: false, error: `BOT_URL answered ${res.status} ${res.statusText}`.trim() };
    }
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      return { ok: false, error: 'BOT_URL answered something that is not JSON' };
    }
    const parsed = answer.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const what = issue?.code === 'invalid_type' && issue.path.length === 0 ? 'not a JSON object' : issue?.message;
      return { ok: false, error: `BOT_URL's answer is not {say, handoff?, hangup?}: ${what ?? 'invalid'}` };
    }
    return { ok: true, value: parsed.data };
  }

  return {
    async decide(input) {
      const started = now();
      const done = (d: Omit<BotDecision, 'ms'>): BotDecision => ({ ...d, ms: Math.max(0, now() - started) });
      if (matchKeyword(input.text, o.keywords)) return done({ action: 'handoff', decidedBy: 'keyword' });
      if (!url) return done({ action: 'say', say: echoText(input.text), decidedBy: 'echo' });
      const r = await ask(input);
      if (r.ok) return done({ ...fromAnswer(r.value), decidedBy: 'bot_url' });
      o.log.warn({ callSid: input.callSid, turn: input.turn, err: r.error }, 'bot: BOT_URL failed, falling back to the echo');
      return done({ action: 'say', say: `${apology} ${echoText(input.text)}`, decidedBy: 'fallback', error: r.error });
    },
  };
}
