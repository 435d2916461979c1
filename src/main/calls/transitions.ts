// Pure state transitions: a call's displayed state as a function of its previous state and one event.
import type { Alert, Call, CallEvent } from '../../shared/model';

const MAX_ALERTS = 8;

function withAlert(call: Call, alert: Alert): Call {
  const alerts = [...call.alerts.filter((a) => a.kind !== alert.kind), alert].slice(-MAX_ALERTS);
  return { ...call, alerts };
}

/** A call that exists before its call.started event (e.g. a status callback arrived first). */
export function emptyCall(callSid: string, at: number): Call {
  return {
    callSid,
    from: '',
    to: '',
    fromMasked: '',
    toMasked: '',
    simulated: false,
    mode: 'gather',
    state: 'ringing',
    startedAt: at,
    alerts: [],
  };
}

const TERMINAL_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/** Apply one event. Ended calls only take late bookkeeping (status, handoff outcome, pacing, parts). */
export function applyEvent(previous: Call | undefined, event: CallEvent): Call {
  const call = previous ?? emptyCall(event.callSid, event.at);
  const ended = call.state === 'ended';
  switch (event.type) {
    case 'call.started':
      return {
        ...call,
        from: event.from,
        to: event.to,
        fromMasked: event.fromMasked,
        toMasked: event.toMasked,
        mode: event.mode,
        simulated: event.simulated,
        startedAt: previous ? Math.min(call.startedAt, event.at) : event.at,
        state: ended ? 'ended' : call.state === 'ringing' ? 'in_conversation' : call.state,
      };
    case 'call.status': {
      const next = { ...call, twilioStatus: event.status };
      if (TERMINAL_STATUSES.has(event.status) && !ended) {
        return { ...next, state: 'ended', endedAt: event.at, endReason: event.status, alerts: [] };
      }
      if (event.status === 'in-progress' && call.state === 'ringing') return { ...next, state: 'in_conversation' };
      return next;
    }
    case 'call.mode':
      return { ...call, mode: event.mode };
    case 'transcript':
      return {
        ...call,
        lastTranscript: event.text,
        state: ended || call.state === 'handing_off' || call.state === 'with_agent' ? call.state : 'in_conversation',
      };
    case 'bot.reply':
      return ended || call.state === 'handing_off' || call.state === 'with_agent' ? call : { ...call, state: event.via === 'stream' ? 'bot_speaking' : 'in_conversation' };
    case 'stream.started':
      return { ...call, streamSid: event.streamSid, mode: 'stream', state: ended ? call.state : call.state === 'ringing' ? 'in_conversation' : call.state };
    case 'stream.stopped':
      return ended || call.state === 'handing_off' || call.state === 'with_agent' ? call : { ...call, state: 'in_conversation' };
    case 'tts.job':
      if (ended) return call;
      if (event.status === 'started') return call.state === 'handing_off' || call.state === 'with_agent' ? call : { ...call, state: 'bot_speaking' };
      if (event.status === 'failed') return withAlert({ ...call, state: 'in_conversation' }, { kind: 'tts_error', at: event.at, message: event.error ?? 'TTS failed' });
      if (event.status === 'cancelled') return call.state === 'bot_speaking' ? { ...call, state: 'in_conversation' } : call;
      return call;
    case 'caller.speech':
      if (ended || call.state === 'handing_off' || call.state === 'with_agent') return call;
      return { ...call, state: event.state === 'started' ? 'caller_speaking' : 'in_conversation' };
    case 'bargein':
      return ended ? call : { ...call, state: 'caller_speaking' };
    case 'transcript.partial':
    case 'transcription':
    case 'bot.decision':
    case 'bot.muted':
    case 'turn.latency':
    case 'mark':
    case 'clear':
    case 'dtmf':
    case 'tts.part':
    case 'pacing':
    case 'prompt':
    case 'error':
      return call;
    case 'handoff': {
      const handoff = { status: event.status, source: event.source, at: event.at, message: event.message, code: event.code };
      if (event.status === 'failed') {
        const back = ended ? call.state : 'in_conversation';
        return withAlert({ ...call, handoff, state: back }, { kind: 'handoff_failed', at: event.at, message: event.message ?? 'Handoff failed' });
      }
      if (event.status === 'connected') {
        return { ...call, handoff, state: ended ? call.state : 'with_agent', alerts: call.alerts.filter((a) => a.kind !== 'agent_requested') };
      }
      return { ...call, handoff, state: ended ? call.state : 'handing_off' };
    }
    case 'alert':
      return ended ? call : withAlert(call, event.alert);
    case 'call.ended':
      if (ended) return call;
      return { ...call, state: 'ended', endedAt: event.at, endReason: event.reason, alerts: [], ...(event.interrupted ? { interrupted: true } : {}) };
  }
}
