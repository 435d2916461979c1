// Component tests of the whole console: happy-dom has no layout, so the virtualised lists and charts get a fixed
// size; every test starts with fresh event numbers and preferences, and unmounts what it rendered.
import { cleanup } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { resetSeq } from './factories';

export function withConsoleDom(size = { width: 1000, height: 800 }): void {
  beforeAll(() => {
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => size.height });
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => size.width });
  });
  beforeEach(() => {
    resetSeq();
    localStorage.clear();
  });
  afterEach(() => cleanup());
}
