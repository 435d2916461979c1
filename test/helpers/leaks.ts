// The leak check: which active resources (timers, sockets, handles) exist now that did not before.
/** Active resource types now, sorted (terminal and pipe handles of the test runner left out). */
export const resources = (): string[] =>
  process
    .getActiveResourcesInfo()
    .filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap')
    .sort();

/** Resource types (and counts) present now that were not before: what a stop() left behind. */
export function leftSince(before: string[]): string[] {
  const remaining = [...before];
  return resources().filter((r) => {
    const i = remaining.indexOf(r);
    if (i === -1) return true;
    remaining.splice(i, 1);
    return false;
  });
}
