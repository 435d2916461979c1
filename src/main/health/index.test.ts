// How the checks become the status bar's services: the worst check's state, its reason first, every reason on hover.
import { describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../shared/model';
import { serviceFrom } from './index';

const c = (id: HealthCheck['id'], level: HealthCheck['level'], reason: string): HealthCheck => ({ id, level, reason, at: 1, ms: 1 });

describe('serviceFrom', () => {
  it.each<[string, HealthCheck[], string, string | undefined]>([
    ['no checks yet: the fallback', [], 'unknown', 'Checking…'],
    ['green', [c('tts', 'green', 'TTS answers')], 'up', 'TTS answers'],
    ['amber', [c('tts', 'amber', 'HTTP 502')], 'degraded', 'HTTP 502'],
    ['red', [c('tts', 'red', 'connection refused')], 'down', 'connection refused'],
    ['worst of two, its reason first', [c('twilio', 'green', 'credentials ok'), c('connectDid', 'amber', 'Geo reminder')], 'degraded', 'Geo reminder · credentials ok'],
    ['other ids are not this dot', [c('s3', 'red', 'bucket missing'), c('tts', 'green', 'TTS answers')], 'up', 'TTS answers'],
  ])('%s', (_n, checks, state, detail) => {
    const ids = checks.some((x) => x.id === 'twilio') ? (['twilio', 'connectDid'] as const) : (['tts'] as const);
    expect(serviceFrom(checks, ids, { state: 'unknown', detail: 'Checking…' })).toEqual({ state, detail });
  });
});
