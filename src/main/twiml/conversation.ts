// The conversation webhooks: greeting (gather or stream), each speech result, and what follows a media stream.
import type { Request, Response } from 'express';
import { gatherTwiml, goodbyeTwiml, KOREAN, MAX_SILENT_TURNS, streamTwiml } from './build';
import { ensureStarted, paramsOf, sendTwiml, streamGrant, type RouteContext } from './context';
import { echoText, lastPromptAt, matchKeyword, readSpeech, silentTurnsFrom } from './decide';

type Handler = (req: Request, res: Response) => void;

/** /voice_gather: Korean prompt inside a speech <Gather> (path A). */
export function voiceGather(ctx: RouteContext): Handler {
  return (req, res) => {
    const p = paramsOf(req);
    const s = ctx.config.settings;
    ensureStarted(ctx, p, 'gather');
    ctx.registry.apply(p.CallSid, { type: 'prompt', text: s.GATHER_PROMPT });
    sendTwiml(res, gatherTwiml(s, ctx.urls, { say: s.GATHER_PROMPT }));
  };
}

/** /voice_stream: the greeting spoken through the media stream straight away (path B); /after_stream gathers after it. */
export function voiceStream(ctx: RouteContext): Handler {
  return (req, res) => {
    const p = paramsOf(req);
    const s = ctx.config.settings;
    ensureStarted(ctx, p, 'stream');
    ctx.registry.apply(p.CallSid, { type: 'bot.reply', text: s.GREETING, via: 'stream' });
    sendTwiml(res, streamTwiml(ctx.urls, s.GREETING, streamGrant(ctx, p, s.GREETING)));
  };
}

/** /after_stream (the <Connect> action): the stream is over, listen for the caller's next turn. */
export function afterStream(ctx: RouteContext): Handler {
  return (req, res) => {
    const p = paramsOf(req);
    ensureStarted(ctx, p, 'stream');
    sendTwiml(res, gatherTwiml(ctx.config.settings, ctx.urls));
  };
}

/** /handle_speech: silence → reprompt (then goodbye); a handoff keyword → <Dial>; otherwise echo and keep listening. */
export function handleSpeech(ctx: RouteContext): Handler {
  return (req, res) => {
    const p = paramsOf(req);
    const sid = p.CallSid;
    const s = ctx.config.settings;
    const { registry } = ctx;
    ensureStarted(ctx, p, 'gather');
    const speech = readSpeech(p);

    if (!speech.text) {
      const silent = silentTurnsFrom(req.query.silent) + 1;
      if (silent >= MAX_SILENT_TURNS) {
        registry.apply(sid, { type: 'bot.reply', text: s.GOODBYE, via: 'say' });
        registry.apply(sid, { type: 'call.ended', reason: `no speech after ${silent} prompts` });
        return sendTwiml(res, goodbyeTwiml(s));
      }
      registry.apply(sid, { type: 'prompt', text: s.REPROMPT });
      return sendTwiml(res, gatherTwiml(s, ctx.urls, { say: s.REPROMPT, silentTurns: silent }));
    }

    const promptAt = lastPromptAt(registry.eventsOf(sid));
    registry.apply(sid, {
      type: 'transcript',
      text: speech.text,
      source: 'gather',
      ...(speech.confidence !== undefined ? { confidence: speech.confidence } : {}),
      ...(promptAt !== undefined ? { latencyMs: Math.max(0, ctx.now() - promptAt) } : {}),
    });

    const keyword = matchKeyword(speech.text, s.HANDOFF_KEYWORDS);
    if (keyword) {
      registry.apply(sid, { type: 'alert', alert: { kind: 'agent_requested', at: ctx.now(), message: `Caller asked for a person ("${keyword}")` } });
      if (s.CONNECT_DID) {
        const twiml = ctx.handoff.dialTwiml(sid);
        registry.apply(sid, { type: 'bot.reply', text: s.HANDOFF_PROMPT, via: 'say' });
        registry.apply(sid, { type: 'handoff', status: 'requested', source: 'keyword', message: `Caller said "${keyword}"; dialing Amazon Connect` });
        ctx.log.info({ callSid: sid, keyword }, 'keyword handoff');
        return sendTwiml(res, twiml);
      }
      registry.apply(sid, { type: 'handoff', status: 'failed', source: 'keyword', message: 'CONNECT_DID is not set' });
      registry.apply(sid, { type: 'bot.reply', text: KOREAN.handoffUnavailable, via: 'say' });
      return sendTwiml(res, gatherTwiml(s, ctx.urls, { say: KOREAN.handoffUnavailable }));
    }

    const reply = echoText(speech.text);
    if (s.REPLY_MODE === 'stream') {
      registry.apply(sid, { type: 'bot.reply', text: reply, via: 'stream' });
      return sendTwiml(res, streamTwiml(ctx.urls, reply, streamGrant(ctx, p, reply)));
    }
    registry.apply(sid, { type: 'bot.reply', text: reply, via: 'say' });
    sendTwiml(res, gatherTwiml(s, ctx.urls, { say: reply }));
  };
}
