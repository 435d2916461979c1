// Electron main process: only the shell. Every capability lives in the host (plain Node modules).
import * as electron from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config/load';
import { createHost } from './host';
import { runShell } from './shell/run';

const here = dirname(fileURLToPath(import.meta.url));

try {
  const config = loadConfig();
  runShell({
    electron,
    createHost: () => createHost({ config }),
    outDir: join(here, '..'),
    devUrl: process.env.ELECTRON_RENDERER_URL,
    onFatal: (message) => {
      console.error(`front-door: ${message}`);
      electron.dialog.showErrorBox('Front Door could not start', message);
    },
  });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`front-door: ${err.message}`);
    electron.app.exit(2);
  } else throw err;
}
