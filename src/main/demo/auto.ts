// Auto-demo: keeps two to four simulated calls going with a mix of scenarios, started a few seconds apart.
import type { DemoScenario } from '../../shared/model';
import type { Random } from './utterances';

/** The rotation: mostly conversations, with every special case coming round regularly. */
export const AUTO_MIX: readonly DemoScenario[] = [
  'gather',
  'stream',
  'barge-in',
  'keyword-handoff',
  'stream',
  'operator-handoff',
  'gather',
  'hangup-mid-reply',
  'barge-in',
  'tts-failure',
  'stream',
  'backchannel',
];

export const AUTO_STAGGER_MS = 6000;
export const AUTO_TICK_MS = 1000;

export interface AutoState {
  /** Next index into AUTO_MIX. */
  next: number;
  lastStartAt: number;
  /** How many calls to keep going (re-drawn from 2–4 at every start). */
  target: number;
}

export const initialAutoState = (): AutoState => ({ next: 0, lastStartAt: -Infinity, target: 2 });

/** Whether to start a call now, and which. Pure: the shell below calls it every tick. */
export function autoStep(state: AutoState, now: number, active: number, random: Random): { start: DemoScenario | null; state: AutoState } {
  if (active >= state.target || now - state.lastStartAt < AUTO_STAGGER_MS) return { start: null, state };
  return {
    start: AUTO_MIX[state.next % AUTO_MIX.length]!,
    state: { next: state.next + 1, lastStartAt: now, target: 2 + Math.floor(random() * 3) },
  };
}

export interface AutoDemoDeps {
  start(scenario: DemoScenario): Promise<unknown>;
  active(): number;
  random: Random;
  now?: () => number;
  onError?(err: unknown): void;
}

export class AutoDemo {
  private timer: NodeJS.Timeout | null = null;
  private state = initialAutoState();
  private starting = false;

  constructor(private readonly deps: AutoDemoDeps) {}

  get enabled(): boolean {
    return this.timer !== null;
  }

  setEnabled(on: boolean): void {
    if (on && !this.timer) {
      this.state = initialAutoState();
      this.timer = setInterval(() => this.tick(), AUTO_TICK_MS);
      this.tick();
    } else if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private tick(): void {
    if (this.starting) return; // one start at a time: active() counts it once it is placed
    const { start, state } = autoStep(this.state, (this.deps.now ?? Date.now)(), this.deps.active(), this.deps.random);
    this.state = state;
    if (!start) return;
    this.starting = true;
    this.deps
      .start(start)
      .catch((err) => this.deps.onError?.(err))
      .finally(() => (this.starting = false));
  }
}
