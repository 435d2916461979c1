// A real S3-compatible server for integration tests: s3rver on an ephemeral loopback port in a temp dir.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll } from 'vitest';
import { testConfig } from '../../src/main/config/load';
import { createS3Client } from '../../src/main/tts/store';

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface TestS3 {
  endpoint: string;
  bucket: string;
  directory: string;
  /** Settings that point the part store at this server. */
  settings: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3rver(bucket = 'tts-parts'): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    settings: { S3_ENDPOINT: endpoint, TTS_BUCKET: bucket, S3_FORCE_PATH_STYLE: 'true', AWS_REGION: 'us-east-1' },
    async stop() {
      // keep-alive sockets from SDK clients would hold close() open
      (server as unknown as { httpServer?: Server }).httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** One s3rver and one S3 client per test file (started before its tests, stopped after). Call at the top level. */
export function useS3rver(): { readonly s3: TestS3; readonly client: S3Client } {
  const ctx = {} as { s3: TestS3; client: S3Client };
  beforeAll(async () => {
    ctx.s3 = await startS3rver();
    ctx.client = createS3Client(testConfig(ctx.s3.settings), { credentials: S3RVER_CREDENTIALS });
  });
  afterAll(async () => {
    ctx.client?.destroy();
    await ctx.s3?.stop();
  });
  return ctx;
}

/**
 * Put s3rver's credentials in the environment for this test file (restored after), so code that uses the SDK's
 * default credential chain — the host, the demo, the S3 worker thread — reaches s3rver as it would a real store.
 * Call at the top level, before the hooks that start the host.
 */
export function useS3rverCredentialsInEnv(): void {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  });
  afterAll(() => {
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    else process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  });
}
