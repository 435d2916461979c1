// Where a job's parts and done marker live: PART_KEY_TEMPLATE ({prefix}, {jobId}, {n}) under KEY_PREFIX.

export interface KeyScheme {
  prefix: string;
  template: string;
  firstIndex: number;
}

const join = (...parts: string[]) => parts.filter(Boolean).join('/');

export function partKey(scheme: KeyScheme, jobId: string, n: number): string {
  return scheme.template
    .replaceAll('{prefix}', scheme.prefix)
    .replaceAll('{jobId}', jobId)
    .replaceAll('{n}', String(n))
    .replace(/^\/+/, '')
    .replace(/\/{2,}/g, '/');
}

/** `{prefix}/{jobId}/done`: the TTS service writes it after the last part. */
export function doneKey(scheme: Pick<KeyScheme, 'prefix'>, jobId: string): string {
  return join(scheme.prefix, jobId, 'done');
}

export function keySchemeFrom(settings: { KEY_PREFIX: string; PART_KEY_TEMPLATE: string; FIRST_PART_INDEX: number }): KeyScheme {
  return { prefix: settings.KEY_PREFIX, template: settings.PART_KEY_TEMPLATE, firstIndex: settings.FIRST_PART_INDEX };
}
