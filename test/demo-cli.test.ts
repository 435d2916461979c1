// `npm run demo -- --standalone …`: a host of its own, the call followed to its end, everything stopped after.
import { describe, expect, it } from 'vitest';
import { main } from '../src/main/demo/cli';

describe('demo CLI --standalone', () => {
  it('runs a scenario in its own host and prints the call until Twilio reports it completed', { timeout: 60_000 }, async () => {
    const lines: string[] = [];
    const code = await main(['--standalone', 'hangup-mid-reply'], (l) => lines.push(l));
    const text = lines.join('\n');
    expect(code, text).toBe(0);
    expect(text).toMatch(/Simulated hangup-mid-reply call CA[0-9a-f]{32}/);
    expect(text).toContain('(simulated)');
    expect(text).toContain('stream stopped (stop)');
    expect(lines.at(-1)).toMatch(/twilio status: completed|ended:/);
  });
});
