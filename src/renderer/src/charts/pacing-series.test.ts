import { describe, expect, it } from 'vitest';
import { pacingWindow } from '../test/factories';
import { pacingNow, pacingSeries } from './pacing-series';

describe('pacingSeries', () => {
  it('aligns lateness samples, lead per window and underruns on one increasing x (s since t0)', () => {
    const s = pacingSeries(
      [
        pacingWindow('MZ', 1000, { samples: [[1020, 1], [1060, 25]], leadMs: 140, underruns: 0 }),
        pacingWindow('MZ', 1100, { samples: [[1120, 2], [1200, 3]], leadMs: 0, underruns: 2 }),
      ],
      0,
    );
    expect(s.x).toEqual([1.02, 1.06, 1.1, 1.12, 1.2]);
    expect(s.lateness).toEqual([1, 25, null, 2, 3]);
    expect(s.lead).toEqual([null, null, 140, null, 0]); // sample and window end at 1.2 s merged
    expect(s.underrun).toEqual([null, null, null, null, 2]);
    expect(s.end).toBe(1.2);
    expect(s.samples).toBe(4);
  });

  it('drops windows that ended before the requested start', () => {
    const s = pacingSeries([pacingWindow('MZ', 0), pacingWindow('MZ', 5000)], 0, 1000);
    expect(s.x[0]).toBeGreaterThanOrEqual(5);
  });

  it('pacingNow reads the latest window', () => {
    expect(pacingNow([])).toEqual({});
    expect(pacingNow([pacingWindow('MZ', 0), pacingWindow('MZ', 100, { latenessP50: 2, latenessP99: 9, leadMs: 160 })])).toMatchObject({ p50: 2, p99: 9, leadMs: 160 });
  });
});
