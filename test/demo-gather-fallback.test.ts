// The same simulated callers against the host's fallback for accounts without Real-Time Transcription
// (STREAM_STT=gather): the greeting streams, then the turns go on at <Gather>; nobody is left on a silent line.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallEvent, DemoScenario } from '../src/shared/model';
import { testConfig } from '../src/main/config/load';
import { createHost, type Host } from '../src/main/host';
import { silentLogger } from '../src/main/log';
import { GOODBYES } from '../src/main/demo/utterances';

const SID = /CA[0-9a-f]{32}/;
let host: Host;

function ended(callSid: string): Promise<CallEvent[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`call ${callSid} did not end`))), 90_000);
    const check = () => {
      const events = host.registry.eventsOf(callSid);
      if (host.registry.get(callSid)?.state === 'ended' && events.some((e) => e.type === 'call.status' && e.status === 'completed')) {
        clearTimeout(timer);
        off();
        resolve(events);
      }
    };
    const off = host.registry.onEvent((e) => e.callSid === callSid && check());
    check();
  });
}

async function simulate(scenario: DemoScenario): Promise<string> {
  const result = await host.api.simulate(scenario);
  expect(result.ok, result.message).toBe(true);
  return SID.exec(result.message)![0];
}

const of = <T extends CallEvent['type']>(events: CallEvent[], type: T) => events.filter((e): e is Extract<CallEvent, { type: T }> => e.type === type);

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fd-demo-gather-'));
  host = createHost({ config: testConfig({ HTTP_PORT: '0', WS_PORT: '0', DATA_DIR: dataDir, STREAM_STT: 'gather' }), log: silentLogger() });
  await host.start();
  host.demo!.tune({ speed: 0.1 });
});

afterAll(async () => {
  await host?.stop();
});

describe('the demo against STREAM_STT=gather', () => {
  it('stream and barge-in callers finish their conversation at <Gather>, without transcription', { timeout: 120_000 }, async () => {
    const [stream, bargeIn] = await Promise.all([simulate('stream'), simulate('barge-in')].map(async (p) => ended(await p)));
    for (const events of [stream!, bargeIn!]) {
      expect(of(events, 'transcription')).toHaveLength(0);
      const said = of(events, 'transcript');
      expect(said.length).toBeGreaterThanOrEqual(2);
      expect(said.every((t) => t.source === 'gather')).toBe(true);
      expect(GOODBYES).toContain(said.at(-1)!.text);
    }
    // the stream closed at the barge-in while the caller was still talking: the <Gather> heard the request
    const request = of(bargeIn!, 'transcript')[0]!;
    expect(GOODBYES).not.toContain(request.text);
  });
});
