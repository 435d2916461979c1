// <Connect><Stream> as Twilio runs it: open the signed media stream, let the caller listen, talk or hang up,
// return when our server closes the socket; on an interruption send `stop` and close.
import type { StreamVerb } from './twiml';
import type { MediaLeg, VerbContext } from './types';

export async function runStream(ctx: VerbContext, v: StreamVerb, index: number): Promise<void> {
  const opening = ctx.side.openStream({ url: v.url, callSid: ctx.callSid, customParameters: v.parameters });
  let leg: MediaLeg;
  try {
    leg = await ctx.guard(opening);
  } catch (err) {
    // interrupted while connecting: the socket may still open, and must be stopped then
    void ctx.track(opening.then((late) => late.stop())).catch(() => undefined);
    throw err;
  }
  ctx.act({ type: 'stream', event: 'open', url: v.url, parameters: v.parameters });
  const streamCallback = (event: string) => {
    if (!v.statusCallback) return;
    const params = {
      AccountSid: ctx.side.accountSid,
      CallSid: ctx.callSid,
      StreamSid: leg.streamSid,
      StreamName: v.name ?? leg.streamSid,
      StreamEvent: event,
      Timestamp: new Date(ctx.side.now()).toISOString(),
    };
    ctx.callback({ url: v.statusCallback, method: v.statusCallbackMethod, params });
  };
  streamCallback('stream-started');

  const act = ctx.caller.inStream({ index, parameters: v.parameters, elapsedMs: ctx.elapsedMs() });
  const local = new AbortController();
  const onOuterAbort = () => local.abort();
  ctx.signal.addEventListener('abort', onOuterAbort, { once: true });
  // prepared up front so the caller talks on time
  const speech = act.kind === 'talk' ? ctx.caller.speechAudio(act.text) : null;
  speech?.catch(() => undefined);
  let heard = false;
  leg.onAudio(() => {
    if (heard) return;
    heard = true;
    ctx.act({ type: 'stream', event: 'audio' });
    if (act.kind === 'listen') return;
    // the caller's reaction counts from the first audio they hear, in real time (the audio plays in real time)
    ctx.side
      .sleep(act.afterMs, local.signal)
      .then(async () => {
        if (act.kind === 'hangup') return ctx.hangup('the caller hung up during the reply');
        const audio = await speech!;
        if (local.signal.aborted) return;
        ctx.act({ type: 'stream', event: 'talk', text: act.text });
        leg.sendAudio(audio);
      })
      .catch(() => undefined);
  });

  let closedByServer = false;
  try {
    await ctx.guard(leg.closedByServer);
    closedByServer = true;
    ctx.act({ type: 'stream', event: 'closed' });
  } finally {
    local.abort();
    ctx.signal.removeEventListener('abort', onOuterAbort);
    if (!closedByServer) {
      await leg.stop();
      ctx.act({ type: 'stream', event: 'stopped' });
    }
    streamCallback('stream-stopped');
  }
}
