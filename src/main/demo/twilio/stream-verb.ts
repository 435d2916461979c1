// <Connect><Stream> as Twilio runs it: open the signed media stream, let the caller react to every bot reply on it
// (listen, talk after it, talk over it, hang up, stay silent), return when our server closes the socket; on an
// interruption (hang-up, REST update) send `stop` and close. One stream carries the whole conversation when the host
// keeps it open; a host that closes it after one reply gets the same caller at its next verb.
import { ReplyWatch, type ReplyEvent } from './reply-watch';
import { voicedMs } from './timing';
import { FINAL_DELAY_MS } from './transcription';
import type { StreamVerb } from './twiml';
import type { MediaLeg, StreamAct, StreamStep, VerbContext } from './types';

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

  const local = new AbortController();
  const onOuterAbort = () => local.abort();
  ctx.signal.addEventListener('abort', onOuterAbort, { once: true });
  const caller = new StreamCaller(ctx, leg, v, index, local.signal);
  leg.onAudio((bytes) => caller.audio(bytes));
  leg.onMark((name, outcome) => caller.react(caller.watch.mark(name, outcome, ctx.side.now())));
  leg.onClear(() => caller.cleared());

  let closedByServer = false;
  try {
    await ctx.guard(leg.closedByServer);
    closedByServer = true;
    ctx.act({ type: 'stream', event: 'closed' });
    caller.closed();
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

/** The caller on one stream: watches the replies, runs each reply's steps. Timers end with `signal`. */
class StreamCaller {
  readonly watch = new ReplyWatch();
  private replies = 0;
  private act: StreamAct | null = null;
  private heardAny = false;
  private quietTimer = false;
  /** The caller talked over the current reply (not a backchannel): a clear now is their barge-in. */
  private cutIn = false;
  /** Until when the caller is talking (their own words, then the transcription's end-pointing). */
  private talkingUntil = 0;
  /** What the caller is saying right now, and until when. */
  private saying: { text: string; until: number } | null = null;

  constructor(
    private readonly ctx: VerbContext,
    private readonly leg: MediaLeg,
    private readonly v: StreamVerb,
    private readonly index: number,
    private readonly signal: AbortSignal,
  ) {}

  audio(bytes: number): void {
    if (!this.heardAny) {
      this.heardAny = true;
      this.ctx.act({ type: 'stream', event: 'audio' });
    }
    this.react(this.watch.audio(bytes, this.ctx.side.now()));
    this.armQuiet();
  }

  /** Our server closed the socket: words the caller had not finished go on at the next verb (a <Gather>). */
  closed(): void {
    if (this.saying && this.saying.until > this.ctx.side.now()) this.ctx.caller.cutOff?.(this.saying.text);
  }

  cleared(): void {
    this.react(this.watch.clear(this.ctx.side.now(), !this.cutIn));
    this.armQuiet(); // a pause ends the reply only if no audio follows
  }

  react(e: ReplyEvent | null): void {
    if (!e || this.signal.aborted) return;
    if (e.type === 'start') {
      const reply = this.replies++;
      this.cutIn = false;
      this.ctx.act({ type: 'reply', event: 'start', index: reply });
      this.act = this.ctx.caller.onReply({ stream: this.index, reply, parameters: this.v.parameters, elapsedMs: this.ctx.elapsedMs() });
      this.schedule('start', e.at);
    } else {
      this.ctx.act({ type: 'reply', event: 'end', index: this.replies - 1, outcome: e.outcome });
      this.schedule('end', e.at);
    }
  }

  /** Hosts without end marks: the reply ends after a quiet spell. One timer at a time, moved on by later audio. */
  private armQuiet(): void {
    if (this.quietTimer) return;
    this.quietTimer = true;
    const loop = async () => {
      for (let due = this.watch.due(); due !== null; due = this.watch.due()) {
        await this.ctx.side.sleep(Math.max(0, due - this.ctx.side.now()), this.signal);
        const e = this.watch.tick(this.ctx.side.now());
        if (e) return this.react(e);
      }
    };
    loop()
      .catch(() => undefined)
      .finally(() => (this.quietTimer = false));
  }

  private schedule(from: 'start' | 'end', at: number): void {
    for (const step of this.act?.steps ?? []) {
      if (step.from !== from) continue;
      // prepared up front so the caller talks on time; their reaction counts in real time (the audio plays so)
      const speech = step.kind === 'talk' ? this.ctx.caller.speechAudio(step.text) : null;
      speech?.catch(() => undefined);
      this.ctx.side
        .sleep(Math.max(0, at + step.atMs - this.ctx.side.now()), this.signal)
        .then(() => this.run(step, speech))
        .catch(() => undefined);
    }
  }

  private async run(step: StreamStep, speech: Promise<Buffer> | null): Promise<void> {
    if (step.kind === 'hangup') {
      // nobody hangs up in the middle of their own sentence: wait until it was said and transcribed
      const busy = this.talkingUntil - this.ctx.side.now();
      if (busy > 0) await this.ctx.side.sleep(busy, this.signal);
      return this.ctx.hangup(step.from === 'start' ? 'the caller hung up during the reply' : 'the caller hung up');
    }
    const audio = await speech!;
    if (this.signal.aborted) return;
    if (this.watch.active && !step.backchannel) this.cutIn = true;
    this.ctx.act({ type: 'stream', event: 'talk', text: step.text });
    // the words play after what is queued ahead of them; the transcription end-points from where the voice ends
    const ahead = this.leg.sendAudio(audio);
    const speechMs = ahead + voicedMs(audio);
    if (!step.backchannel) this.saying = { text: step.text, until: this.ctx.side.now() + speechMs };
    this.talkingUntil = Math.max(this.talkingUntil, this.ctx.side.now()) + ahead + audio.length / 8 + FINAL_DELAY_MS[1];
    this.ctx.caller.said?.(step.text);
    this.ctx.heard({ text: step.text, confidence: step.confidence ?? 0.9, speechMs });
  }
}
