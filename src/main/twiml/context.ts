// What the webhook routes share: their dependencies and the few helpers every route uses.
import type { Request, Response } from 'express';
import type { CallMode } from '../../shared/model';
import { maskNumber, type CallRegistry } from '../calls/registry';
import type { Config } from '../config/load';
import type { ConversationManager } from '../conversation/manager';
import type { PublicUrls } from '../config/urls';
import { DEMO_ACCOUNT_SID } from '../demo/constants';
import type { Logger } from '../log';
import type { StreamAdmission } from '../media/admission';
import type { HandoffService } from '../twilio/handoff';
import type { Params } from './decide';

export interface RouteContext {
  config: Config;
  registry: CallRegistry;
  log: Logger;
  urls: PublicUrls;
  handoff: HandoffService;
  now: () => number;
  /** The streamed conversations (STREAM_STT=transcription); absent: streams speak their Parameter text only. */
  conversations?: ConversationManager;
  /** Issues the one-time grant every <Stream> carries (media/admission.ts). */
  admission: StreamAdmission;
}

/** The posted form (flat strings; the guard has checked it is signed and names a CallSid). */
export function paramsOf(req: Request): Params & { CallSid: string } {
  return req.body as Params & { CallSid: string };
}

/** The <Parameter name="grant"> for a <Stream> answering this call (the signed webhook names call and account). */
export function streamGrant(ctx: RouteContext, p: Params & { CallSid: string }, text: string): string {
  return ctx.admission.issue({ callSid: p.CallSid, accountSid: p.AccountSid ?? ctx.config.settings.TWILIO_ACCOUNT_SID ?? '', text });
}

export function sendTwiml(res: Response, xml: string): void {
  res.type('text/xml').send(xml);
}

/** Emit call.started the first time a call is seen (From/To with masked forms; simulated when the demo's account made it). */
export function ensureStarted(ctx: RouteContext, p: Params & { CallSid: string }, mode: CallMode): void {
  const sid = p.CallSid;
  const call = ctx.registry.get(sid);
  if (call && (call.from || call.to || ctx.registry.eventsOf(sid).some((e) => e.type === 'call.started'))) return;
  const from = p.From ?? '';
  const to = p.To ?? '';
  ctx.registry.apply(sid, {
    type: 'call.started',
    from,
    to,
    fromMasked: maskNumber(from),
    toMasked: maskNumber(to),
    mode,
    simulated: p.AccountSid === DEMO_ACCOUNT_SID,
  });
  ctx.log.info({ callSid: sid, from: maskNumber(from), to: maskNumber(to), mode }, 'call started');
}
