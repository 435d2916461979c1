import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3PartStore } from '../../src/main/tts/store';
import { S3Getter } from '../../src/main/tts/s3-get';
import { startMemS3, type MemS3 } from './mem-s3';

describe('mem-s3 (the bench store) through the host’s own S3 part store', () => {
  let s3: MemS3;
  let getter: S3Getter;
  let store: S3PartStore;
  const seen: string[] = [];

  beforeAll(async () => {
    s3 = await startMemS3('tts');
    s3.onRequest((req) => seen.push(`${req.method} ${req.url?.split('?')[0]}`));
    getter = new S3Getter({
      location: { bucket: 'tts', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true },
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      timeoutMs: 2000,
      maxAttempts: 1,
    });
    store = new S3PartStore(getter, 'tts', 'bench');
  });

  afterAll(async () => {
    getter.close();
    await s3.close();
  });

  it('answers a missing key like S3 (NoSuchKey -> not there yet), then the object once put', async () => {
    expect(await store.get('tts/job1/part0.wav')).toBeNull();
    s3.put('tts/job1/part0.wav', Buffer.from('RIFFdata'));
    const hit = await store.get('tts/job1/part0.wav');
    expect(hit?.bytes.toString()).toBe('RIFFdata');
    expect(hit?.lastModified).toBeGreaterThan(0);
    expect(seen).toEqual(['GET /tts/tts/job1/part0.wav', 'GET /tts/tts/job1/part0.wav']);
  });

  it('refuses another bucket with NoSuchBucket', async () => {
    const otherGetter = new S3Getter({ location: { bucket: 'nope', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true }, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, timeoutMs: 2000 });
    const other = new S3PartStore(otherGetter, 'nope', 'bench');
    await expect(other.get('k')).rejects.toThrow(/does not exist/);
    other.close();
  });
});
