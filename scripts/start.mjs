#!/usr/bin/env node
// `npm start`: the desktop app where Electron can open a window; otherwise (no Electron binary, no
// display — as on CI and headless servers) say why in one line and run the headless host + browser console.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

const reason = whyNotElectron();
const child = reason
  ? (console.log(`front-door: opening the browser console instead of the desktop window, because ${reason}.`),
    spawn(process.execPath, [join(root, 'out/main/serve.js')], { stdio: 'inherit' }))
  : spawn(electronBinary(), [root], { stdio: 'inherit' });

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
