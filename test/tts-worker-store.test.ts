// The S3 part store (lean signed GETs, in a worker thread for the host), against a real S3-compatible server.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../src/main/config/load';
import { createPartStore, createS3Client } from '../src/main/tts/store';
import { TransientStoreError, TtsError } from '../src/main/tts/types';
import { WorkerPartStore } from '../src/main/tts/worker-store';
import { S3RVER_CREDENTIALS, startS3rver, useS3rverCredentialsInEnv, type TestS3 } from './helpers/s3rver';

let s3: TestS3;
useS3rverCredentialsInEnv(); // the worker's SDK uses the default credential chain, as in production

beforeAll(async () => {
  s3 = await startS3rver();
});

afterAll(async () => {
  await s3.stop();
});

/** Worker threads alive in this process (the diagnostic report lists them). */
const workers = () => (process.report.getReport() as unknown as { workers: unknown[] }).workers.length;

describe('WorkerPartStore', () => {
  it('is what the host gets for S3, returns parts byte for byte, null for a part not written yet, and closes its thread', async () => {
    const config = testConfig({ ...s3.settings });
    const before = workers();
    const store = createPartStore(config, { offThread: true });
    expect(store).toBeInstanceOf(WorkerPartStore);
    expect(store.describe()).toContain('worker thread');

    const client = createS3Client(config, { credentials: S3RVER_CREDENTIALS });
    const bytes = Buffer.from(Array.from({ length: 9999 }, (_, i) => (i * 7) & 0xff));
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'tts/job1/part0.wav', Body: bytes }));
    client.destroy();

    const got = await store.get('tts/job1/part0.wav');
    expect(workers()).toBe(before + 1);
    expect(got?.bytes.equals(bytes)).toBe(true);
    expect(got?.lastModified).toBeGreaterThan(0);
    expect(await store.get('tts/job1/part1.wav')).toBeNull();

    await store.close?.();
    expect(workers()).toBe(before);
    await expect(store.get('tts/job1/part0.wav')).rejects.toBeInstanceOf(TtsError);
  });

  it('rejects at once when cancelled, and carries the store error kind across the thread', async () => {
    const store = createPartStore(testConfig({ ...s3.settings }), { offThread: true });
    const controller = new AbortController();
    const pending = store.get('tts/job2/part0.wav', controller.signal);
    controller.abort(new Error('caller hung up'));
    await expect(pending).rejects.toThrow('caller hung up');
    await store.close?.();

    const wrongBucket = createPartStore(testConfig({ ...s3.settings, TTS_BUCKET: 'no-such-bucket' }), { offThread: true });
    const err = await wrongBucket.get('tts/x/part0.wav').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TtsError);
    expect(err).not.toBeInstanceOf(TransientStoreError);
    expect((err as TtsError).kind).toBe('store');
    expect((err as Error).message).toContain('no-such-bucket');
    await wrongBucket.close?.();
  });

});
