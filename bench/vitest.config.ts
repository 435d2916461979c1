// Unit tests of the bench's pure pieces (the root config only includes src/ and test/):
// npx vitest run -c bench/vitest.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['bench/**/*.test.ts'], environment: 'node', root: new URL('..', import.meta.url).pathname },
});
