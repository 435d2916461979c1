// Renderer entry: pick the door to the host, create the one store, render the console.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createBridge } from './bridge';
import { browserNotifications } from './features/attention/alerts';
import { AudioBuffers } from './store/audio-buffers';
import { MonitorProvider } from './features/monitor/context';
import { ConsoleProvider } from './store/context';
import { browserPrefsEnv, loadPrefs } from './store/prefs';
import { connectStore, createConsoleStore } from './store/store';
import './styles/index.css';

/** Save bytes (a recording's WAV) as a file. */
function save(filename: string, bytes: Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function download(filename: string, text: string): void {
  save(filename, new TextEncoder().encode(text), 'application/json');
}

const env = browserPrefsEnv();
const bridge = createBridge(window);
const buffers = new AudioBuffers();
const store = createConsoleStore({ bridge, buffers, notifications: browserNotifications(), prefs: loadPrefs(env), storage: env.storage, download });
const disconnect = connectStore(store, bridge);
window.addEventListener('pagehide', () => {
  disconnect();
  bridge.close();
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConsoleProvider store={store} buffers={buffers}>
      <MonitorProvider port={bridge} save={save}>
        <App store={store} />
      </MonitorProvider>
    </ConsoleProvider>
  </StrictMode>,
);
