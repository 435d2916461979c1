// How the TTS stand-in publishes parts: into a folder (atomically: temp file, then rename) or into S3.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface PartWriter {
  put(key: string, bytes: Buffer): Promise<void>;
  describe(): string;
}

export function folderPartWriter(folder: string): PartWriter {
  const root = resolve(folder);
  return {
    async put(key, bytes) {
      const path = resolve(root, key);
      if (!path.startsWith(root + sep)) throw new Error(`key "${key}" points outside ${root}`);
      await mkdir(dirname(path), { recursive: true });
      const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, bytes);
        await rename(temp, path); // readers see the whole part or nothing
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    describe: () => `folder ${root}`,
  };
}

/** Buffer bodies only: a stream body with the SDK's default checksums is stored aw-chunked by s3rver. */
export function s3PartWriter(client: S3Client, bucket: string): PartWriter {
  return {
    async put(key, bytes) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: key.endsWith('.wav') ? 'audio/wav' : 'application/octet-stream' }));
    },
    describe: () => `s3://${bucket}`,
  };
}
