// What Twilio reports: call status, handoff progress and outcome (/dial_status), media stream status. All tolerate repeats.
import type { Request, Response } from 'express';
import { gatherTwiml, hangupTwiml, KOREAN } from './build';
import { ensureStarted, paramsOf, sendTwiml, type RouteContext } from './context';
import {
  advancesHandoff,
  childLegProgress,
  dialActionSeen,
  dialOutcome,
  lastStatusSequence,
  readDialReport,
  TERMINAL_CALL_STATUSES,
} from './decide';

type Handler = (req: Request, res: Response) => void;

/** /call_status: the call's status callback. Out-of-order or repeated callbacks are dropped; terminal ones end the call. */
export function callStatus(ctx: RouteContext): Handler {
  return (req, res) => {
    const p = paramsOf(req);
    const sid = p.CallSid;
    const status = p.CallStatus?.trim();
    if (!status) {
      res.status(400).json({ error: 'CallStatus is missing' });
      return;
    }
    ensureStarted(ctx, p, 'gather');
    const seqRaw = p.SequenceNumber?.trim();
    const seq = seqRaw && /^\d+$/.test(seqRaw) ? Number(seqRaw) : undefined;
    const call = ctx.registry.get(sid)!;
    const stale = seq !== undefined ? seq <= lastStatusSequence(ctx.registry.eventsOf(sid)) : call.twilioStatus === status;
    if (stale) {
      ctx.log.debug({ callSid: sid, status, seq }, 'status callback already applied or out of date');
      res.status(204).end();
      return;
    }
    const wasEnded = call.state === 'ended';
    ctx.registry.apply(sid, { type: 'call.status', status, ...(seq !== undefined ? { sequenceNumber: seq } : {}) });
    if (TERMINAL_CALL_STATUSES.has(status) && !wasEnded) {
      const secs = p.CallDuration && /^\d+$/.test(p.CallDuration) ? ` after ${p.CallDuration} s` : '';
      ctx.registry.apply(sid, { type: 'call.ended', reason: `${status}${secs}` });
    }
    res.status(204).end();
  };
}

/**
 * /dial_status gets both the child leg's progress (<Number statusCallback>: ringing → dialing, answered → connected)
 * and the <Dial> action (DialCallStatus: the outcome, answered with TwiML).
 */
export function dialStatus(ctx: RouteContext): Handler {
  return (req, res) => {
    const p = paramsOf(req);
    const report = readDialReport(p);
    const { registry } = ctx;

    if (report.kind === 'unknown') {
      res.status(400).json({ error: 'Expected DialCallStatus (Dial action) or ParentCallSid and CallStatus (dialed leg)' });
      return;
    }

    if (report.kind === 'child') {
      const parent = registry.get(report.parentCallSid);
      const progress = childLegProgress(report.callStatus);
      if (!parent) {
        ctx.log.warn({ callSid: p.CallSid, parentCallSid: report.parentCallSid }, 'dial progress for an unknown call');
      } else if (progress && advancesHandoff(parent.handoff, progress)) {
        registry.apply(report.parentCallSid, {
          type: 'handoff',
          status: progress,
          source: parent.handoff?.source ?? 'keyword',
          message: progress === 'dialing' ? 'Ringing Amazon Connect' : 'An agent answered',
        });
      }
      res.status(204).end();
      return;
    }

    const sid = p.CallSid;
    ensureStarted(ctx, p, 'gather');
    const s = ctx.config.settings;
    const outcome = dialOutcome(report.dialCallStatus, s.DIAL_TIMEOUT_S, report.durationS);
    const firstReport = !dialActionSeen(registry.eventsOf(sid), report.dialCallStatus);
    if (firstReport) {
      const source = registry.get(sid)?.handoff?.source ?? 'keyword';
      registry.apply(sid, { type: 'handoff', status: outcome.status, source, message: outcome.message, dialCallStatus: report.dialCallStatus });
      ctx.log.info({ callSid: sid, dialCallStatus: report.dialCallStatus }, `handoff ${outcome.status}: ${outcome.message}`);
    }
    if (outcome.status === 'connected') {
      // the agent conversation is over: end the caller's leg too
      if (registry.get(sid)?.state !== 'ended') registry.apply(sid, { type: 'call.ended', reason: 'agent call ended' });
      return sendTwiml(res, hangupTwiml());
    }
    if (firstReport) registry.apply(sid, { type: 'bot.reply', text: KOREAN.handoffFailed, via: 'say' });
    sendTwiml(res, gatherTwiml(s, ctx.urls, { say: KOREAN.handoffFailed }));
  };
}

/** /stream_status: <Stream statusCallback>. Start and stop come from the media socket itself; errors are recorded here. */
export function streamStatus(ctx: RouteContext): Handler {
  return (req, res) => {
    const p = paramsOf(req);
    const sid = p.CallSid;
    const event = p.StreamEvent ?? 'unknown';
    if (event === 'stream-error' && ctx.registry.has(sid)) {
      const message = `Media stream error: ${p.StreamError?.trim() || 'no detail from Twilio'}`;
      ctx.registry.apply(sid, { type: 'error', message, code: 'stream-error' });
      ctx.registry.apply(sid, { type: 'alert', alert: { kind: 'stream_error', at: ctx.now(), message } });
      ctx.log.warn({ callSid: sid, streamSid: p.StreamSid }, message);
    } else {
      ctx.log.debug({ callSid: sid, streamSid: p.StreamSid, event }, 'stream status');
    }
    res.status(204).end();
  };
}
