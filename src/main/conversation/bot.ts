// What the bot says to a caller turn. Default (the seed's behaviour): HANDOFF_KEYWORDS hand the call to a person,
// anything else is echoed back. With BOT_URL: POST {callSid, turn, text, confidence, heardOfLastReply} and use its
// {say, handoff?, hangup?}; when it fails or takes longer than BOT_TIMEOUT_MS, an apology then the echo rules.
// Returns how it was decided and how long it took (bot.decision). I/O only through the injected post.
import type { Logger } from '../log';
import { postJson } from '../net/post-json';
import { echoText, matchKeyword } from '../twiml/decide';

export interface BotInput {
  callSid: string;
  turn: number;
  text: string;
  confidence?: number;
  /** What the caller heard of the bot's last reply, when it was interrupted (text prefix estimate, ms). */
  heardOfLastReply?: { replyId: string; heardMs: number; replyMs: number };
}

export type BotDecision = {
  decidedBy: 'echo' | 'keyword' | 'bot_url' | 'fallback';
  ms: number;
  error?: string;
  /** Spoken before the action (an apology when BOT_URL failed is prepended). */
  say?: string;
} & ({ action: 'say'; say: string } | { action: 'handoff'; keyword?: string } | { action: 'hangup' });

export interface BotOptions {
  botUrl?: string;
  timeoutMs: number;
  keywords: readonly string[];
  log: Logger;
  now?: () => number;
  /** The HTTP POST (tests inject; default: postJson). Resolves with the parsed JSON body. */
  post?: (url: string, body: unknown, timeoutMs: number) => Promise<unknown>;
}

export interface Bot {
  decide(input: BotInput): Promise<BotDecision>;
}

export const BOT_APOLOGY = '죄송합니다. 잠시 문제가 있었어요.';

/** The seed's rules: a handoff keyword, or the echo. Pure. */
export function echoRules(text: string, keywords: readonly string[]): { action: 'handoff'; keyword: string } | { action: 'say'; say: string } {
  const keyword = matchKeyword(text, keywords);
  return keyword ? { action: 'handoff', keyword } : { action: 'say', say: echoText(text) };
}

/** A BOT_URL answer, checked: {say: string, handoff?: boolean, hangup?: boolean}. */
export function readBotAnswer(body: unknown): { say?: string; handoff: boolean; hangup: boolean } | string {
  if (typeof body !== 'object' || body === null) return 'BOT_URL answered something that is not a JSON object';
  const b = body as { say?: unknown; handoff?: unknown; hangup?: unknown };
  if (b.say !== undefined && typeof b.say !== 'string') return 'BOT_URL answered "say" that is not a string';
  const say = typeof b.say === 'string' && b.say.trim() ? b.say.trim() : undefined;
  const handoff = b.handoff === true;
  const hangup = b.hangup === true;
  if (!say && !handoff && !hangup) return 'BOT_URL answered with nothing to say, no handoff and no hangup';
  return { say, handoff, hangup };
}

async function defaultPost(url: string, body: unknown, timeoutMs: number): Promise<unknown> {
  const r = await postJson(new URL(url), body, { timeoutMs });
  if (r.status < 200 || r.status >= 300) throw new Error(`HTTP ${r.status} ${r.statusText}`.trim());
  try {
    return JSON.parse(r.text) as unknown;
  } catch {
    throw new Error('the answer is not JSON');
  }
}

export function createBot(o: BotOptions): Bot {
  const now = o.now ?? Date.now;
  const post = o.post ?? defaultPost;
  return {
    async decide(input) {
      const t0 = now();
      const rules = () => {
        const r = echoRules(input.text, o.keywords);
        return r.action === 'handoff' ? { decidedBy: 'keyword' as const, action: 'handoff' as const, keyword: r.keyword } : { decidedBy: 'echo' as const, action: 'say' as const, say: r.say };
      };
      if (!o.botUrl) return { ...rules(), ms: now() - t0 };
      let error: string;
      try {
        const answer = readBotAnswer(await post(o.botUrl, { callSid: input.callSid, turn: input.turn, text: input.text, confidence: input.confidence ?? null, heardOfLastReply: input.heardOfLastReply ?? null }, o.timeoutMs));
        if (typeof answer !== 'string') {
          const ms = now() - t0;
          if (answer.handoff) return { decidedBy: 'bot_url', action: 'handoff', ms, ...(answer.say ? { say: answer.say } : {}) };
          if (answer.hangup) return { decidedBy: 'bot_url', action: 'hangup', ms, ...(answer.say ? { say: answer.say } : {}) };
          return { decidedBy: 'bot_url', action: 'say', say: answer.say!, ms };
        }
        error = answer;
      } catch (err) {
        error = `BOT_URL failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      o.log.warn({ callSid: input.callSid, turn: input.turn, error }, 'bot: falling back to the echo rules');
      const r = rules();
      const ms = now() - t0;
      if (r.action === 'handoff') return { decidedBy: 'fallback', action: 'handoff', keyword: r.keyword, ms, error, say: BOT_APOLOGY };
      return { decidedBy: 'fallback', action: 'say', say: `${BOT_APOLOGY} ${r.say}`, ms, error };
    },
  };
}
