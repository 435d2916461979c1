// The conversation webhooks: greeting (gather or stream), each speech result, and what follows a media stream.
import type { Request, Response } from 'express';
import { conversationTwiml, gatherTwiml, goodbyeTwiml, hangupTwiml, KOREAN, MAX_SILENT_TURNS, streamTwiml } from './build';
import { ensureStarted, paramsOf, sendTwiml, streamGrant, type RouteContext } from './context';
import { echoText, lastPromptAt, matchKeyword, readSpeech, silentTurnsFrom, type Params } from './decide';

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

/**
 * Hand the call to its one media stream. STREAM_STT=transcription: Real-Time Transcription starts beside it and the
 * call's conversation speaks every turn on it (it records bot.reply when it speaks). STREAM_STT=gather: the stream
 * speaks `text` and /after_stream gathers the caller's answer.
 */
function toStream(ctx: RouteContext, p: Params & { CallSid: string }, text: string, kind: 'greeting' | 'answer'): string {
  const s = ctx.config.settings;
  const sid = p.CallSid;
  const grant = streamGrant(ctx, p, text);
  if (s.STREAM_STT === 'transcription') {
    if (ctx.conversations) ctx.conversations.create(sid, { text, kind });
    else ctx.registry.apply(sid, { type: 'bot.reply', text, via: 'stream', kind });
    return conversationTwiml(s, ctx.urls, sid, text, grant);
  }
  ctx.registry.apply(sid, { type: 'bot.reply', text, via: 'stream', kind });
  return streamTwiml(ctx.urls, text, grant);
}

/** /voice_stream: the greeting spoken through the media stream straight away (path B). */
export function voiceStream(ctx: RouteContext): Handler {
  return (req, res) => {
    const p = paramsOf(req);
    ensureStarted(ctx, p, 'stream');
    sendTwiml(res, toStream(ctx, p, ctx.config.settings.GREETING, 'greeting'));
  };
}

/** /after_stream (the <Connect> action): the conversation said goodbye → hang up; otherwise gather the next turn. */
export function afterStream(ctx: RouteContext): Handler {
  return (req, res) => {
    const p = paramsOf(req);
    const sid = p.CallSid;
    ensureStarted(ctx, p, 'stream');
    const conversation = ctx.conversations?.get(sid);
    if (conversation?.ended === 'goodbye') {
      if (ctx.registry.get(sid)?.state !== 'ended') ctx.registry.apply(sid, { type: 'call.ended', reason: 'the conversation ended (goodbye played)' });
      return sendTwiml(res, hangupTwiml());
    }
    sendTwiml(res, gatherTwiml(ctx.config.settings, ctx.urls));
  };
}

/** /transcription: Real-Time Transcription callbacks. Acted on once each; answered at once (Twilio waits on it). */
export function transcription(ctx: RouteContext): Handler {
  return (req, res) => {
    if (!ctx.conversations) {
      res.status(204).end();
      return;
    }
    const r = ctx.conversations.onTranscription(paramsOf(req));
    if (r.status === 'invalid') {
      ctx.log.warn({ callSid: paramsOf(req).CallSid, error: r.error }, 'transcription callback refused');
      res.status(400).json({ error: `Bad transcription callback: ${r.error}` });
      return;
    }
    res.status(204).end();
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
    if (s.REPLY_MODE === 'stream') return sendTwiml(res, toStream(ctx, p, reply, 'answer'));
    registry.apply(sid, { type: 'bot.reply', text: reply, via: 'say' });
    sendTwiml(res, gatherTwiml(s, ctx.urls, { say: reply }));
  };
}
