// Test data builders for renderer tests (calls, events, snapshots) — shaped like the host's.
import type { Call, CallEvent, CallEventBody, PacingWindow, Snapshot, TtsPart } from '../../../shared/model';

export function call(callSid: string, patch: Partial<Call> = {}): Call {
  return {
    callSid,
    from: '+821055501234',
    to: '+827055500100',
    fromMasked: '+82 ••••••1234',
    toMasked: '+82 ••••••0100',
    simulated: true,
    mode: 'stream',
    state: 'in_conversation',
    startedAt: 1_000_000,
    alerts: [],
    ...patch,
  };
}

let seq = 0;
export function resetSeq(to = 0): void {
  seq = to;
}

export function ev(callSid: string, body: CallEventBody, at = 1_000_000 + seq * 10): CallEvent {
  return { ...body, callSid, at, seq: ++seq } as CallEvent;
}

export function part(replyId: string, n: number, patch: Partial<TtsPart> = {}): TtsPart {
  const base = 1_000_000 + n * 500;
  return {
    replyId,
    jobId: `job-${replyId}`,
    part: n,
    key: `tts/job-${replyId}/part${n}.wav`,
    bytes: 8000,
    audioMs: 500,
    landedAt: base + 100,
    seenAt: base + 150,
    firstFrameAt: base + 300,
    lastFrameAt: base + 800,
    flags: [],
    ...patch,
  };
}

export function pacingWindow(streamSid: string, from: number, patch: Partial<PacingWindow> = {}): PacingWindow {
  return {
    streamSid,
    from,
    to: from + 100,
    frames: 5,
    samples: [
      [from + 20, 1],
      [from + 60, 2],
    ],
    latenessP50: 1,
    latenessP99: 3,
    latenessMax: 4,
    leadMs: 120,
    underruns: 0,
    marksSent: 1,
    marksPlayed: 1,
    marksCleared: 0,
    ...patch,
  };
}

export function snapshot(calls: Call[], patch: Partial<Snapshot> = {}): Snapshot {
  return {
    calls,
    health: {
      mode: 'demo',
      twiml: { state: 'up', port: 5000 },
      media: { state: 'up', port: 8765 },
      tts: { state: 'up' },
      s3: { state: 'up' },
      twilio: { state: 'up' },
      signatureValidation: true,
    },
    settings: {
      mode: 'demo',
      publicUrl: 'http://127.0.0.1:5000',
      webhooks: {
        voiceGather: 'http://127.0.0.1:5000/twiml/voice_gather',
        voiceStream: 'http://127.0.0.1:5000/twiml/voice_stream',
        callStatus: 'http://127.0.0.1:5000/twiml/call_status',
        streamStatus: 'http://127.0.0.1:5000/twiml/stream_status',
        media: 'ws://127.0.0.1:5000/media',
      },
      settings: [
        { name: 'CONNECT_DID', secret: false, state: 'set', value: '+8225550199', description: 'Number a handoff dials' },
        { name: 'TWILIO_AUTH_TOKEN', secret: true, state: 'set', description: 'Signs webhooks' },
        { name: 'HTTP_PORT', secret: false, state: 'default', value: '5000', description: 'Webhook port' },
      ],
      connectDidSet: true,
      connectDidMasked: '+82 ••••0199',
      signatureValidation: true,
      warnings: [],
    },
    demo: { enabled: true, autoDemo: false },
    ...patch,
  };
}
