// ops: which log format the host writes (LOG_FORMAT × is stdout a terminal), and what a pretty line looks like.
import { Writable } from 'node:stream';
import pino from 'pino';
import { build as pinoPretty } from 'pino-pretty';
import { describe, expect, it } from 'vitest';
import { logFormat, PRETTY_OPTIONS, REDACT_PATHS } from './log';

describe('logFormat', () => {
  it.each<[Parameters<typeof logFormat>[0], boolean | undefined, string]>([
    ['auto', true, 'pretty'],
    ['auto', false, 'json'],
    ['auto', undefined, 'json'],
    [undefined, true, 'pretty'],
    ['json', true, 'json'],
    ['pretty', false, 'pretty'],
  ])('LOG_FORMAT=%s, TTY %s → %s', (setting, tty, expected) => expect(logFormat(setting, tty)).toBe(expected));
});

describe('pretty lines', () => {
  it('one short line: time, level, [part] message, the rest compact; secrets still redacted', () => {
    let out = '';
    const sink = new Writable({ write: (chunk, _enc, cb) => ((out += String(chunk)), cb()) });
    const stream = pinoPretty({ ...PRETTY_OPTIONS, colorize: false, destination: sink, sync: true });
    const log = pino({ base: { app: 'front-door' }, redact: { paths: REDACT_PATHS, censor: '[secret]' } }, stream).child({ part: 'media' });
    log.info({ callSid: 'CA1', authToken: 'hunter2hunter2' }, 'stream started');
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: \[media\] stream started \{"callSid":"CA1","authToken":"\[secret\]"\}$/);
    expect(out).not.toContain('hunter2');
  });
});
