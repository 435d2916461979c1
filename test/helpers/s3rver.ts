// A real S3-compatible server for integration tests: s3rver on an ephemeral loopback port in a temp dir.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

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
