// The operator speaks to the caller and holds the bot. Which way depends on the call, decided by `operatorRoute`
// (pure): a call with a live media stream goes through the conversation's hook (TTS on the call's stream, owned by
// the conversation module and injected by the host as `streamOperator`); a Gather call gets a Twilio REST update
// with <Say> then the call's Gather, so the conversation goes on after it. The REST path records `bot.reply`
// (kind operator) here; on a stream the conversation records its own reply and `bot.muted`.
import type { Call, CallEvent, CommandResult } from '../../shared/model';
import { streamOpen } from '../../shared/operator';
import type { CallRegistry } from '../calls/registry';
import type { Config } from '../config/load';
import type { PublicUrls } from '../config/urls';
import type { Logger } from '../log';
import { gatherTwiml } from '../twiml/build';
import { toTwilioRestError } from '../twilio/errors';
import type { TwilioRest } from '../twilio/rest';

/** The conversation's operator hooks (CONTRACT.md: conversations.say(callSid, text, 'operator') / setMuted). */
export interface StreamOperator {
  say(callSid: string, text: string): Promise<CommandResult>;
  setMuted(callSid: string, muted: boolean): CommandResult;
}

export { streamOpen };

export const MAX_SAY_CHARS = 400;

export type OperatorRoute = { route: 'stream' | 'gather' } | { route: 'refused'; message: string };

/** Where an operator action on this call goes, or why it cannot. */
export function operatorRoute(call: Call | undefined, events: readonly CallEvent[]): OperatorRoute {
  if (!call) return { route: 'refused', message: 'Unknown call' };
  if (call.state === 'ended') return { route: 'refused', message: 'The call has already ended' };
  if (call.state === 'handing_off' || call.state === 'with_agent') return { route: 'refused', message: 'The call is being handed to an agent' };
  if (streamOpen(events)) return { route: 'stream' };
  return { route: 'gather' };
}

/** The text as it will be spoken, or why it cannot be. */
export function sayText(text: unknown): { text: string } | { error: string } {
  if (typeof text !== 'string') return { error: 'Type what to say' };
  const t = text.replace(/\s+/g, ' ').trim();
  if (!t) return { error: 'Type what to say' };
  if (t.length > MAX_SAY_CHARS) return { error: `Too long: at most ${MAX_SAY_CHARS} characters at a time` };
  return { text: t };
}

export const NOT_ON_THIS_CALL = 'Not available on this call: this build cannot speak on a streamed call yet (the conversation’s operator hook is not wired)';
const NO_REST = 'Twilio REST is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN';

export interface OperatorDeps {
  registry: CallRegistry;
  config: () => Config;
  urls: () => PublicUrls;
  rest: () => TwilioRest | null;
  stream: StreamOperator | null | undefined;
  log: Logger;
}

export function createOperator(d: OperatorDeps) {
  const route = (callSid: string) => operatorRoute(d.registry.get(callSid), d.registry.eventsOf(callSid));

  async function say(callSid: string, raw: unknown): Promise<CommandResult> {
    const checked = sayText(raw);
    if ('error' in checked) return { ok: false, message: checked.error, callSid };
    const r = route(callSid);
    if (r.route === 'refused') return { ok: false, message: r.message, callSid };
    if (r.route === 'stream') {
      if (!d.stream) return { ok: false, message: NOT_ON_THIS_CALL, callSid };
      const result = await d.stream.say(callSid, checked.text);
      d.log.info({ callSid, ok: result.ok, chars: checked.text.length }, 'operator spoke on the stream');
      return { ...result, callSid };
    }
    const rest = d.rest();
    if (!rest) return { ok: false, message: NO_REST, callSid };
    try {
      await rest.updateTwiml(callSid, gatherTwiml(d.config().settings, d.urls(), { before: checked.text }));
    } catch (error) {
      const e = toTwilioRestError(error);
      d.log.warn({ callSid, status: e.status, code: e.code }, `operator say failed: ${e.plain}`);
      return { ok: false, message: e.plain, callSid, ...(e.code !== undefined ? { code: e.code } : {}) };
    }
    d.registry.apply(callSid, { type: 'bot.reply', text: checked.text, via: 'say', kind: 'operator' });
    d.log.info({ callSid, chars: checked.text.length }, 'operator spoke on a Gather call (REST <Say>)');
    return { ok: true, message: 'Said to the caller', callSid };
  }

  async function setMuted(callSid: string, muted: unknown): Promise<CommandResult> {
    const on = muted === true;
    const r = route(callSid);
    if (r.route === 'refused') return { ok: false, message: r.message, callSid };
    if (r.route === 'gather') return { ok: false, message: 'Not available on this call: the bot can be held on streamed calls only', callSid };
    if (!d.stream) return { ok: false, message: NOT_ON_THIS_CALL, callSid };
    // the conversation records bot.muted itself (it is the one holding its turns)
    return { ...d.stream.setMuted(callSid, on), callSid };
  }

  return { say, setMuted };
}
