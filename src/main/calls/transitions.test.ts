import { describe, expect, it } from 'vitest';
import type { Call, CallEvent, CallEventBody } from '../../shared/model';
import { applyEvent } from './transitions';

let seq = 0;
const ev = (body: CallEventBody, at = 1000): CallEvent => ({ ...body, callSid: 'CA1', at, seq: ++seq }) as CallEvent;
const started = ev({ type: 'call.started', from: '+821012345678', to: '+827000000000', fromMasked: 'm', toMasked: 'm', mode: 'gather', simulated: false });

function run(...events: CallEventBody[]): Call {
  let call = applyEvent(undefined, started);
  for (const [i, body] of events.entries()) call = applyEvent(call, ev(body, 2000 + i));
  return call;
}

describe('applyEvent', () => {
  it.each<[string, CallEventBody[], Call['state']]>([
    ['a started call is in conversation', [], 'in_conversation'],
    ['a streamed reply makes the bot speak', [{ type: 'bot.reply', text: '네', via: 'stream' }], 'bot_speaking'],
    ['a TTS job start makes the bot speak', [{ type: 'tts.job', replyId: 'r1', status: 'started' }], 'bot_speaking'],
    ['caller speech while the bot speaks', [{ type: 'tts.job', replyId: 'r1', status: 'started' }, { type: 'caller.speech', state: 'started' }], 'caller_speaking'],
    ['barge-in', [{ type: 'tts.job', replyId: 'r1', status: 'started' }, { type: 'bargein', decision: 'interrupted', heardMs: 900, replyMs: 4000, detectionLatencyMs: 80 }], 'caller_speaking'],
    ['handoff requested', [{ type: 'handoff', status: 'requested', source: 'operator' }], 'handing_off'],
    ['handoff connected', [{ type: 'handoff', status: 'requested', source: 'operator' }, { type: 'handoff', status: 'connected', source: 'operator' }], 'with_agent'],
    ['handoff failed goes back to the conversation', [{ type: 'handoff', status: 'requested', source: 'operator' }, { type: 'handoff', status: 'failed', source: 'operator', message: 'x' }], 'in_conversation'],
    ['transcript does not leave the agent', [{ type: 'handoff', status: 'connected', source: 'keyword' }, { type: 'transcript', text: '여보세요', source: 'gather' }], 'with_agent'],
    ['completed status ends the call', [{ type: 'call.status', status: 'completed' }], 'ended'],
    ['nothing revives an ended call', [{ type: 'call.ended', reason: 'hangup' }, { type: 'tts.job', replyId: 'r', status: 'started' }, { type: 'transcript', text: 'x', source: 'gather' }], 'ended'],
  ])('%s', (_name, events, state) => {
    expect(run(...events).state).toBe(state);
  });

  it('keeps the last transcript and raises then clears alerts', () => {
    const call = run(
      { type: 'transcript', text: '상담원 연결해 주세요', confidence: 0.9, source: 'gather' },
      { type: 'alert', alert: { kind: 'agent_requested', at: 1, message: 'asked for 상담원' } },
      { type: 'tts.job', replyId: 'r', status: 'failed', error: 'TTS 500' },
    );
    expect(call.lastTranscript).toBe('상담원 연결해 주세요');
    expect(call.alerts.map((a) => a.kind)).toEqual(['agent_requested', 'tts_error']);
    const connected = applyEvent(call, ev({ type: 'handoff', status: 'connected', source: 'keyword' }));
    expect(connected.alerts.map((a) => a.kind)).toEqual(['tts_error']);
    expect(applyEvent(call, ev({ type: 'call.ended', reason: 'completed' })).alerts).toEqual([]);
  });

  it('creates a call from a status callback that arrives before anything else', () => {
    const call = applyEvent(undefined, ev({ type: 'call.status', status: 'ringing' }, 500));
    expect(call.state).toBe('ringing');
    expect(call.startedAt).toBe(500);
    const later = applyEvent(call, started);
    expect(later.startedAt).toBe(500);
    expect(later.from).toBe('+821012345678');
  });
});
