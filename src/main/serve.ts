// Headless entry (`npm run serve`, and `npm start` where Electron cannot open a window):
// the host plus the browser console on 127.0.0.1. SIGINT/SIGTERM stop everything cleanly.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config/load';
import { startConsoleServer } from './console/server';
import { createHost } from './host';
import { createLogger, logFormat } from './log';
import { PortError } from './net/listen';

export async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`front-door: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.settings.LOG_LEVEL, undefined, { format: logFormat(config.settings.LOG_FORMAT, process.stdout.isTTY) });
  const host = createHost({ config, log });
  const here = dirname(fileURLToPath(import.meta.url));
  let consoleServer: Awaited<ReturnType<typeof startConsoleServer>> | null = null;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await consoleServer?.stop().catch(() => undefined);
    await host.stop().catch((err) => log.error({ err }, 'stop failed'));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    await host.start();
    consoleServer = await startConsoleServer({
      api: host.api,
      token: config.consoleToken,
      port: config.settings.CONSOLE_PORT,
      rendererDir: process.env.FRONT_DOOR_RENDERER_DIR ?? join(here, '../renderer'),
      log: log.child({ part: 'console' }),
    });
  } catch (err) {
    if (err instanceof PortError || err instanceof ConfigError) {
      console.error(`front-door: ${err.message}`);
      await stop(2);
      return;
    }
    log.fatal({ err }, 'start failed');
    await stop(1);
    return;
  }
  const url = `${consoleServer.url}?token=${encodeURIComponent(config.consoleToken)}`;
  const mode = host.config.mode === 'demo' ? 'demo mode (simulated calls, no cloud accounts needed)' : 'live mode';
  console.log(`\nFront Door is running in ${mode}.`);
  console.log(`  Console:  ${url}`);
  console.log(`  Webhooks: ${host.urls.abs('/voice_gather')}  ·  ${host.urls.abs('/voice_stream')}`);
  console.log(`  Media:    ${host.urls.media}  (also on port ${host.ports.ws})\n`);
  if (process.send) process.send({ ready: true, consoleUrl: url, ports: host.ports });
}

const entry = process.argv[1] ? fileURLToPath(import.meta.url) === process.argv[1] || process.argv[1].endsWith('serve.js') : false;
if (entry) void main();
