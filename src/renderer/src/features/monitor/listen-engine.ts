// Listen-in in the page: asks the host to listen (ConsoleApi.listen), decodes each `audio` batch (mu-law -> float,
// shared/recording.ts), schedules it on the AudioContext through the shared JitterClock (both legs on one
// mapping, <= 300 ms behind live), one GainNode per leg for its volume, and a LevelTrack per leg for its meter.
// Stops when the operator stops, the host says listening ended (call over, host stopped) or the view goes away;
// after a console reconnect it asks again (the host forgot the old connection's listening).
import type { AudioLeg, ConsoleMessage } from '../../../../shared/api';
import { mulawLevelDb, mulawToFloat, SAMPLE_RATE } from '../../../../shared/recording';
import { fromBase64, type MonitorPort } from './context';
import { JitterClock, LevelTrack } from './jitter';

export type ListenState = 'idle' | 'starting' | 'live' | 'stopped' | 'failed';

export interface ListenStatus {
  state: ListenState;
  /** Why it stopped or failed (host reason or error message). */
  reason?: string;
  batches: Record<AudioLeg, number>;
  /** Batches missing (seq gaps) and dropped (too late). */
  lost: number;
  behindMs: number | null;
}

const LEGS: readonly AudioLeg[] = ['caller', 'bot'];

export class ListenEngine {
  status: ListenStatus = { state: 'idle', batches: { caller: 0, bot: 0 }, lost: 0, behindMs: null };
  private ctx: AudioContext | null = null;
  private gains: Partial<Record<AudioLeg, GainNode>> = {};
  private volumes: Record<AudioLeg, number> = { caller: 1, bot: 1 };
  private readonly levels: Record<AudioLeg, LevelTrack> = { caller: new LevelTrack(), bot: new LevelTrack() };
  private readonly nextSeq: Record<AudioLeg, number> = { caller: 0, bot: 0 };
  private jitter = new JitterClock();
  private offs: Array<() => void> = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly port: MonitorPort,
    readonly callSid: string,
    private readonly audioContext: () => AudioContext | null,
  ) {}

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Call from a click (browsers start audio only on a user gesture). */
  async start(): Promise<void> {
    if (this.status.state === 'starting' || this.status.state === 'live') return;
    this.ctx ??= this.audioContext();
    if (this.ctx) {
      void this.ctx.resume().catch(() => undefined);
      for (const leg of LEGS) {
        const gain = this.ctx.createGain();
        gain.gain.value = this.volumes[leg];
        gain.connect(this.ctx.destination);
        this.gains[leg] = gain;
      }
    }
    this.jitter = new JitterClock();
    this.nextSeq.caller = this.nextSeq.bot = 0;
    this.set({ state: 'starting', reason: undefined, batches: { caller: 0, bot: 0 }, lost: 0, behindMs: null });
    this.offs.push(this.port.subscribe((m) => this.onMessage(m)));
    let wasOpen = true;
    this.offs.push(
      this.port.onConnection((c) => {
        if (c.status === 'open' && !wasOpen && this.status.state === 'live') void this.port.listen(this.callSid, true).catch(() => undefined);
        wasOpen = c.status === 'open';
      }),
    );
    try {
      const result = await this.port.listen(this.callSid, true);
      if (!result.ok) return this.teardown('failed', result.message);
      if ((this.status.state as ListenState) === 'starting') this.set({ state: 'live' });
    } catch (err) {
      this.teardown('failed', err instanceof Error ? err.message : String(err));
    }
  }

  async stop(): Promise<void> {
    if (this.status.state !== 'starting' && this.status.state !== 'live') return;
    this.teardown('stopped', 'operator');
    await this.port.listen(this.callSid, false).catch(() => undefined);
  }

  setVolume(leg: AudioLeg, volume: number): void {
    this.volumes[leg] = volume;
    const gain = this.gains[leg];
    if (gain && this.ctx) gain.gain.setTargetAtTime(volume, this.ctx.currentTime, 0.02);
  }

  volume(leg: AudioLeg): number {
    return this.volumes[leg];
  }

  /** The leg's level (dBFS) of what is playing now. */
  level(leg: AudioLeg): number {
    return this.levels[leg].at(this.nowMs());
  }

  /** Stop without telling the host (the view is going away; the host stops on unsubscribe or call end). */
  dispose(): void {
    if (this.status.state === 'starting' || this.status.state === 'live') void this.port.listen(this.callSid, false).catch(() => undefined);
    this.teardown(this.status.state === 'failed' ? 'failed' : 'stopped', this.status.reason);
    void this.ctx?.close().catch(() => undefined);
    this.ctx = null;
    this.listeners.clear();
  }

  private nowMs(): number {
    return this.ctx ? this.ctx.currentTime * 1000 : performance.now();
  }

  private onMessage(m: ConsoleMessage): void {
    if (m.kind === 'listen' && m.callSid === this.callSid) {
      if (m.listening && this.status.state === 'starting') this.set({ state: 'live' });
      if (!m.listening && m.reason !== 'operator') this.teardown('stopped', m.reason);
      return;
    }
    if (m.kind !== 'audio' || m.callSid !== this.callSid || (this.status.state !== 'live' && this.status.state !== 'starting')) return;
    const bytes = fromBase64(m.payload);
    const lost = Math.max(0, m.seq - this.nextSeq[m.leg]);
    this.nextSeq[m.leg] = m.seq + 1;
    const durationMs = bytes.length / (SAMPLE_RATE / 1000);
    const slot = this.jitter.schedule(m.at, durationMs, this.nowMs());
    if (slot && this.ctx && this.gains[m.leg]) {
      const samples = new Float32Array(bytes.length);
      mulawToFloat(bytes, samples);
      const buffer = this.ctx.createBuffer(1, samples.length, SAMPLE_RATE);
      buffer.copyToChannel(samples, 0);
      const source = this.ctx.createBufferSource();
      source.buffer = buffer;
      source.connect(this.gains[m.leg]!);
      source.start(slot.startMs / 1000, slot.skipMs / 1000);
    }
    if (slot) this.levels[m.leg].add(slot.startMs, slot.startMs + durationMs - slot.skipMs, mulawLevelDb(bytes));
    this.set({
      batches: { ...this.status.batches, [m.leg]: this.status.batches[m.leg] + 1 },
      lost: this.status.lost + lost + (slot ? 0 : 1),
      behindMs: this.jitter.behindMs,
    });
  }

  private teardown(state: 'stopped' | 'failed', reason?: string): void {
    for (const off of this.offs) off();
    this.offs = [];
    for (const leg of LEGS) this.gains[leg]?.disconnect();
    this.gains = {};
    this.set({ state, reason });
  }

  private set(patch: Partial<ListenStatus>): void {
    this.status = { ...this.status, ...patch };
    for (const l of this.listeners) l();
  }
}
