// Demo mode with S3_ENDPOINT: the TTS stand-in writes parts to a real S3-compatible server (s3rver), creating
// the bucket, and the host's pipeline plays them from there.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallEvent } from '../src/shared/model';
import { testConfig } from '../src/main/config/load';
import { createHost, type Host } from '../src/main/host';
import { silentLogger } from '../src/main/log';
import { createS3Client } from '../src/main/tts/store';
import { S3RVER_CREDENTIALS, startS3rver, useS3rverCredentialsInEnv, type TestS3 } from './helpers/s3rver';

const BUCKET = 'demo-parts'; // not configured in s3rver: the demo creates it
let s3: TestS3;
let host: Host;
useS3rverCredentialsInEnv(); // the host and the demo use the SDK's default credential chain, as they would against MinIO

beforeAll(async () => {
  s3 = await startS3rver();
  const config = testConfig({ HTTP_PORT: '0', WS_PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-demo-s3-')), ...s3.settings, TTS_BUCKET: BUCKET });
  host = createHost({ config, log: silentLogger() });
  await host.start();
  host.demo!.tune({ speed: 0.1 });
});

afterAll(async () => {
  await host?.stop();
  await s3?.stop();
});

describe('demo with an S3-compatible part store', () => {
  it('streams the greeting from parts the stand-in wrote to S3', { timeout: 60_000 }, async () => {
    expect(host.demo!.partFolder).toBeNull();
    const result = await host.api.simulate('stream');
    expect(result.ok, result.message).toBe(true);
    const sid = /CA[0-9a-f]{32}/.exec(result.message)![0];
    const events = await new Promise<CallEvent[]>((resolve) => {
      const done = () => host.registry.eventsOf(sid).some((e) => e.type === 'tts.job' && (e.status === 'done' || e.status === 'failed'));
      if (done()) return resolve(host.registry.eventsOf(sid));
      const off = host.registry.onEvent((e) => {
        if (e.callSid === sid && done()) {
          off();
          resolve(host.registry.eventsOf(sid));
        }
      });
    });
    const job = events.filter((e) => e.type === 'tts.job');
    expect(job.map((e) => e.status)).toEqual(['started', 'done']);
    const jobId = job[0]!.jobId!;
    const client = createS3Client(testConfig({ ...s3.settings, TTS_BUCKET: BUCKET }), { credentials: S3RVER_CREDENTIALS });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `tts/${jobId}/` }));
    client.destroy();
    const keys = (listed.Contents ?? []).map((o) => o.Key);
    expect(keys).toContain(`tts/${jobId}/part0.wav`);
    expect(keys).toContain(`tts/${jobId}/done`);
    expect(events.filter((e) => e.type === 'tts.part').length).toBe(keys.length - 1);
  });
});
