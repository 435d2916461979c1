// A loopback port nothing listens on (bound, then released): for "connection refused" tests. No test runner imports,
// so vitest tests and Playwright specs can both use it.
import { createServer } from 'node:net';

export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
