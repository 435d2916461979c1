// The demo's TTS: the stand-in (sim/tts-standin) speaking with the demo voice into the demo folder, or into an
// S3-compatible store when S3_ENDPOINT is set. Timed so the part-arrival chart is interesting.
import { rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config/load';
import type { Logger } from '../log';
import { folderPartWriter, s3PartWriter, type PartWriter } from '../sim/part-writer';
import { startTtsStandIn, type StandInFailure, type TtsStandInOptions } from '../sim/tts-standin';
import { createS3Client } from '../tts/store';
import type { Voice } from './voice';

/**
 * 1.2 s parts landing every ~1.02 s (15 % faster than real time) with ±400 ms spread: about one streamed reply in
 * five (the stand-in's jitter is seeded by job number: the 7th, 8th, 9th, 10th, 24th…) has a part that lands after
 * the audio before it has played, so the part-arrival chart shows a gap of up to ~0.3 s.
 */
export const DEMO_TTS_TIMING = { partMs: 1200, firstPartDelayMs: 450, partIntervalMs: 1020, jitterMs: 400 } as const satisfies Partial<TtsStandInOptions>;

/** Finished jobs are forgotten (and their parts removed) after this long. */
export const JOB_RETENTION_MS = 5 * 60_000;

export interface DemoTts {
  readonly url: string;
  /** The folder parts are written to, or null when they go to S3. */
  readonly partFolder: string | null;
  readonly describe: string;
  stop(): Promise<void>;
}

export interface DemoTtsDeps {
  config: Config;
  log: Logger;
  dataDir: string;
  voice: Voice;
  /** Whether this call's job fails (the tts-failure scenario). */
  failFor(callSid: string | undefined): StandInFailure | null;
  timing?: Partial<TtsStandInOptions>;
}

/** Where the demo writes parts when no S3 endpoint is set: the same folder the host's part store reads by default. */
export function demoPartFolder(config: Config, dataDir: string): string {
  return resolve(config.settings.PART_STORE_DIR ?? join(dataDir, 'tts-parts'));
}

async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  }
}

export async function startDemoTts(deps: DemoTtsDeps): Promise<DemoTts> {
  const s = deps.config.settings;
  let writer: PartWriter;
  let partFolder: string | null = null;
  let client: S3Client | null = null;
  if (s.S3_ENDPOINT) {
    if (!s.TTS_BUCKET) throw new Error('S3_ENDPOINT is set but TTS_BUCKET is not: set the bucket the demo TTS writes parts to');
    client = createS3Client(deps.config);
    await ensureBucket(client, s.TTS_BUCKET);
    writer = s3PartWriter(client, s.TTS_BUCKET);
  } else {
    partFolder = demoPartFolder(deps.config, deps.dataDir);
    writer = folderPartWriter(partFolder);
  }

  const standIn = await startTtsStandIn({
    writer,
    keyPrefix: s.KEY_PREFIX,
    firstPartIndex: s.FIRST_PART_INDEX,
    partKeyTemplate: s.PART_KEY_TEMPLATE,
    audioFor: (text) => deps.voice.speak(text, 'bot'),
    fail: ({ callSid }) => deps.failFor(callSid),
    ...DEMO_TTS_TIMING,
    ...deps.timing,
  });

  const removeJob = async (jobId: string) => {
    standIn.jobs.delete(jobId);
    if (!partFolder) return;
    const dir = resolve(partFolder, s.KEY_PREFIX, jobId);
    if (dir.startsWith(partFolder + sep)) await rm(dir, { recursive: true, force: true });
  };
  // the stand-in keeps every job (with its audio); a long auto-demo must not grow without bound
  const sweep = setInterval(() => {
    const cutoff = Date.now() - JOB_RETENTION_MS;
    for (const job of standIn.jobs.values()) {
      if (job.state !== 'writing' && job.requestedAt < cutoff) void removeJob(job.jobId).catch((err) => deps.log.warn({ err, jobId: job.jobId }, 'demo tts: could not remove old parts'));
    }
  }, 30_000);

  const describe = `${standIn.url} → ${writer.describe()}`;
  deps.log.info({ tts: describe, voice: deps.voice.engine }, 'demo TTS stand-in started');
  return {
    url: standIn.url,
    partFolder,
    describe,
    async stop() {
      clearInterval(sweep);
      await standIn.stop();
      await Promise.all([...standIn.jobs.keys()].map((id) => removeJob(id).catch(() => undefined)));
      client?.destroy();
    },
  };
}
