// Append-only JSON Lines: one record per line; a torn last line (crash mid-write) is skipped on read.
import { readFile } from 'node:fs/promises';

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
