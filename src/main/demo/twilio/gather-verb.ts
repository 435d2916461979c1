// <Say>, <Pause>, <Play> and <Gather input="speech"> as Twilio runs them, timed like speech.
import { speakingMs } from './timing';
import type { GatherVerb, PromptVerb } from './twiml';
import type { Params, VerbContext } from './types';

/** The pause before a caller answers a prompt. */
export const REACTION_MS = 400;
/** <Play> media is not fetched; it counts as this long. */
const PLAY_MS = 2000;
/** speechTimeout="auto" ends at the first pause. */
const AUTO_ENDPOINT_MS = 700;

export function promptMs(p: PromptVerb): number {
  return p.verb === 'say' ? speakingMs(p.text) * p.loop : p.verb === 'pause' ? p.seconds * 1000 : PLAY_MS * p.loop;
}

/** Plays prompts in order; the caller cuts in `cutAtMs` into them (Infinity: never). */
export async function playPrompts(ctx: VerbContext, prompts: PromptVerb[], cutAtMs = Infinity): Promise<void> {
  let at = 0;
  for (const p of prompts) {
    const ms = promptMs(p);
    const cut = at + ms > cutAtMs;
    const played = cut ? Math.max(0, cutAtMs - at) : ms;
    ctx.act(p.verb === 'say' ? { type: 'say', text: p.text, ms: played, ...(cut ? { cut } : {}) } : { type: 'pause', ms: played });
    await ctx.wait(played);
    at += played;
    if (cut) return;
  }
}

export type GatherOutcome = { kind: 'action'; params: Params } | { kind: 'next' } | { kind: 'hangup' };

/** The n-th Gather of the call: what the caller says decides whether the action is requested. */
export async function runGather(ctx: VerbContext, v: GatherVerb, index: number): Promise<GatherOutcome> {
  const prompt = v.prompts.flatMap((p) => (p.verb === 'say' ? [p.text] : [])).join(' ');
  const said = ctx.caller.atGather({ index, prompt, elapsedMs: ctx.elapsedMs() });
  if (said === 'hangup') {
    // the caller hears the bot out, then hangs up instead of answering
    await playPrompts(ctx, v.prompts);
    return { kind: 'hangup' };
  }
  if (said && v.input.includes('speech')) {
    const total = v.prompts.reduce((sum, p) => sum + promptMs(p), 0);
    const bargeIn = v.bargeIn && said.bargeInMs !== undefined && said.bargeInMs < total;
    await playPrompts(ctx, v.prompts, bargeIn ? said.bargeInMs : Infinity);
    if (!bargeIn) await ctx.wait(REACTION_MS);
    ctx.act({ type: 'speech', text: said.text, bargeIn });
    // a <Start><Transcription> running beside the Gather hears it too
    ctx.heard({ text: said.text, confidence: said.confidence, speechMs: speakingMs(said.text) }, true);
    await ctx.wait(speakingMs(said.text));
    await ctx.wait(v.speechTimeout === 'auto' ? AUTO_ENDPOINT_MS : v.speechTimeout * 1000); // the end-pointer's silence
    return { kind: 'action', params: { SpeechResult: said.text, Confidence: String(Math.round(said.confidence * 1e7) / 1e7) } };
  }
  await playPrompts(ctx, v.prompts);
  ctx.act({ type: 'silence', ms: v.timeoutS * 1000 });
  await ctx.wait(v.timeoutS * 1000);
  return v.actionOnEmptyResult ? { kind: 'action', params: {} } : { kind: 'next' };
}
