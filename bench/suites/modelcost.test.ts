import { describe, expect, it } from 'vitest';
import { abRows, type ArmNumbers } from './modelcost';

const arm = (cpu: number, ttfaP99: number, underruns: number, model: ArmNumbers['model'] = null) =>
  ({ pacing: { underrunsTotal: underruns, exact: 200, checked: 200, beyondLead: { p99: 1 } }, audio: { ttfa: { p99: ttfaP99 } }, speaking: 100, speakingCleared: 90, bargeIn: {}, hostCpuPct: cpu, eldP99: 5, model }) as unknown as ArmNumbers;

describe('barge-in model A/B rows', () => {
  const m = { windows: 1000, runs: 500, runMs: 200, maxRunMs: 3, windowsPerSpeakingStreamS: 10, runMsPerS: 12 };
  const rows = abRows(300, [
    { arm: 'silero', x: arm(80, 110, 0, m) },
    { arm: 'energy', x: arm(70, 100, 0) },
    { arm: 'silero', x: arm(90, 120, 0, m) },
    { arm: 'energy', x: arm(74, 104, 0) },
  ]);
  const find = (s: string) => rows.find((r) => r.name.includes(s))!;

  it('reports each arm by the median of its runs and lists the runs', () => {
    expect(find('host CPU, 300 streams, BARGE_IN_MODEL=silero')).toMatchObject({ p50: 85, max: 90, n: 2, note: 'runs: 80.0 / 90.0' });
    expect(find('host CPU, 300 streams, BARGE_IN_MODEL=energy').p50).toBe(72);
  });

  it('model CPU per stream is the host CPU above the energy arm median, per stream', () => {
    expect(find('model CPU per stream').p50).toBeCloseTo((85 - 72) / 300, 3);
  });

  it('judges first audio within 10% and zero underruns with the model', () => {
    expect(find('first audio p99 with the model / without')).toMatchObject({ pass: false });
    expect(find('first audio p99 with the model / without').p50).toBeCloseTo(115 / 102, 3);
    expect(find('audible underruns with the model')).toMatchObject({ p50: 0, pass: true });
    const ok = abRows(300, [{ arm: 'silero', x: arm(80, 105, 2, m) }, { arm: 'energy', x: arm(70, 100, 0) }]);
    expect(ok.find((r) => r.name.includes('first audio p99 with'))!.pass).toBe(true);
    expect(ok.find((r) => r.name.includes('underruns with the model'))!.pass).toBe(false);
  });
});
