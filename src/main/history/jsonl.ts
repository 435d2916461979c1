// Append-only JSON Lines: one record per line. A line torn by a crash (kill -9 mid-write) is skipped on read and
// cut off on open (repairTail), so the next appended line starts on a line of its own and stays readable.
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

export interface JsonlRead<T> {
  records: T[];
  /** Lines that did not parse (a torn tail after kill -9, or corruption). */
  skipped: number;
}

/** Parse JSONL text; never throws on bad lines, counts them instead. */
export function parseJsonl<T>(text: string): JsonlRead<T> {
  const records: T[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      skipped++;
    }
  }
  return { records, skipped };
}

export async function readJsonl<T>(path: string): Promise<JsonlRead<T>> {
  try {
    return parseJsonl<T>(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: 0 };
    throw err;
  }
}

/** Stream a JSONL file record by record (memory: one line); bad lines are skipped. A missing file is empty. */
export async function* streamJsonl<T>(path: string): AsyncGenerator<T> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const opened = await new Promise<boolean>((resolve, reject) => {
    input.once('open', () => resolve(true));
    input.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? resolve(false) : reject(err)));
  });
  if (!opened) return;
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (!line.trim()) continue;
      let record: T;
      try {
        record = JSON.parse(line) as T;
      } catch {
        continue;
      }
      yield record;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** Bytes after the last newline of `bytes` (a torn last line), 0 when it ends with one or is empty. */
export function tornTailLength(bytes: Uint8Array): number {
  const last = bytes.lastIndexOf(0x0a);
  return bytes.length - (last + 1);
}

const CHUNK = 64 * 1024;

/** Cut a torn last line off the file so the next append starts a fresh line. Returns the bytes removed. */
export async function repairTail(path: string): Promise<number> {
  let file;
  try {
    file = await open(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  try {
    const { size } = await file.stat();
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - CHUNK);
      const buf = Buffer.alloc(end - start);
      await file.read(buf, 0, buf.length, start);
      const torn = tornTailLength(buf);
      if (torn < buf.length) {
        const keep = start + buf.length - torn;
        if (keep === size) return 0;
        await file.truncate(keep);
        await file.sync();
        return size - keep;
      }
      end = start;
    }
    if (size > 0) {
      await file.truncate(0);
      await file.sync();
    }
    return size;
  } finally {
    await file.close();
  }
}
