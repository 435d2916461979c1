#!/usr/bin/env node
// `npm start`: the desktop app where Electron can open a window; otherwise (no Electron binary, no
// display — as on CI and headless servers) say why in one line and run the headless host + browser console.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'dotenv';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Electron binary, without loading the electron package (loading it would try to download). */
function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
  const dir = join(root, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

function whyNotElectron() {
  if (process.env.FRONT_DOOR_HEADLESS === '1') return 'FRONT_DOOR_HEADLESS=1';
  if (!electronBinary()) return 'the Electron binary is not installed on this machine';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY is not set)';
  return null;
}

/** `npm start` shows the product: in demo mode the auto-demo keeps a few simulated calls going unless AUTO_DEMO says otherwise. */
function startEnv() {
  const env = { ...process.env };
  const dotenvFile = join(root, '.env');
  const fromFile = existsSync(dotenvFile) ? parse(readFileSync(dotenvFile)) : {};
  if (!env.AUTO_DEMO && !fromFile.AUTO_DEMO) env.AUTO_DEMO = 'true';
  return env;
}

const reason = whyNotElectron();
const child = reason
  ? (console.log(`front-door: opening the browser console instead of the desktop window, because ${reason}.`),
    spawn(process.execPath, [join(root, 'out/main/serve.js')], { stdio: 'inherit', env: startEnv() }))
  : spawn(electronBinary(), [root], { stdio: 'inherit', env: startEnv() });

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
