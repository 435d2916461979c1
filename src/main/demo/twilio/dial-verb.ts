// <Dial><Number> as Twilio runs it: a child leg with its own status callbacks, then the Dial action's parameters.
import type { DialNumber, DialVerb } from './twiml';
import type { Params, VerbContext } from './types';

/** StatusCallbackEvent name for a child-leg CallStatus (answered reports CallStatus=in-progress). */
function eventOf(callStatus: string): string {
  if (callStatus === 'in-progress') return 'answered';
  if (callStatus === 'initiated' || callStatus === 'ringing') return callStatus;
  return 'completed';
}

/** Which child-leg statuses are posted: with no events listed Twilio posts only `completed`. */
export function childEventPosted(target: DialNumber, callStatus: string): boolean {
  const event = eventOf(callStatus);
  return target.statusCallbackEvent.length === 0 ? event === 'completed' : target.statusCallbackEvent.includes(event);
}

/** Runs the Dial; returns the parameters Twilio adds to the Dial action request. */
export async function runDial(ctx: VerbContext, v: DialVerb): Promise<Params> {
  // Twilio dials every <Number> at once and bridges the first that answers; the simulator dials the first
  const target = v.numbers[0]!;
  const answer = ctx.caller.dialAnswer(target.number);
  const childSid = ctx.side.newCallSid();
  let sequence = 0;
  const child = (callStatus: string, extra: Params = {}) => {
    ctx.act({ type: 'dial', number: target.number, event: callStatus });
    const n = sequence++;
    if (!target.statusCallback || !childEventPosted(target, callStatus)) return;
    const params = {
      ...ctx.side.callParams({ callSid: childSid, from: v.callerId ?? ctx.from, to: target.number, callStatus, direction: 'outbound-dial' }),
      ParentCallSid: ctx.callSid,
      SequenceNumber: String(n),
      CallbackSource: 'call-progress-events',
      Timestamp: new Date(ctx.side.now()).toUTCString(),
      ...extra,
    };
    ctx.callback({ url: target.statusCallback, method: target.statusCallbackMethod, params });
  };
  const seconds = (since: number) => String(Math.max(0, Math.round((ctx.side.now() - since) / 1000)));

  child('initiated');
  child('ringing');
  // Twilio rings about 5 s longer than the timeout says
  const ringLimitMs = (v.timeoutS + 5) * 1000;
  let bridgedAt: number | undefined;
  try {
    await ctx.wait(answer.status === 'no-answer' ? ringLimitMs : Math.min(answer.ringMs, ringLimitMs));
    if (answer.status !== 'completed') {
      child(answer.status, { CallDuration: '0' });
      return { DialCallStatus: answer.status, DialCallSid: childSid, DialBridged: 'false' };
    }
    bridgedAt = ctx.side.now();
    child('in-progress');
    await ctx.wait(answer.talkMs);
    child('completed', { CallDuration: seconds(bridgedAt) });
    return { DialCallStatus: 'completed', DialCallSid: childSid, DialCallDuration: seconds(bridgedAt), DialBridged: 'true' };
  } catch (err) {
    // interrupted (hang-up or REST update): the child leg drops and Twilio still reports the Dial's outcome
    const status = bridgedAt === undefined ? 'canceled' : 'completed';
    child(status, { CallDuration: bridgedAt === undefined ? '0' : seconds(bridgedAt) });
    if (v.action) {
      const outcome: Params = { DialCallStatus: status, DialCallSid: childSid, DialBridged: String(bridgedAt !== undefined) };
      if (bridgedAt !== undefined) outcome.DialCallDuration = seconds(bridgedAt);
      ctx.callback({
        url: v.action,
        method: v.method,
        params: { ...ctx.side.callParams({ callSid: ctx.callSid, from: ctx.from, to: ctx.to, callStatus: 'in-progress', direction: 'inbound' }), ...outcome },
      });
    }
    throw err;
  }
}
