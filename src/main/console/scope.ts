// One console connection's view of the ConsoleApi. Both doors (the console WebSocket, Electron IPC) serve many
// connections from one host API; listen-in audio must reach only the connection that asked, so each door opens a
// scope per connection: its subscription, and a `listen` bound to that subscription (a plain ConsoleApi without
// per-connection listening, as in tests, is passed through). Closing the scope unsubscribes, which stops listening.
import type { ConsoleApi, ConsoleMessage } from '../../shared/api';
import type { HostConsoleApi } from './api';

export interface ConsoleScope {
  api: ConsoleApi;
  close(): void;
}

function scoped(api: ConsoleApi): api is ConsoleApi & Pick<HostConsoleApi, 'listenFor'> {
  return typeof (api as Partial<HostConsoleApi>).listenFor === 'function';
}

export function scopeConsole(api: ConsoleApi, push: (message: ConsoleMessage) => void): ConsoleScope {
  const off = api.subscribe(push);
  const view: ConsoleApi = Object.create(api) as ConsoleApi;
  view.listen = (callSid, on) => (scoped(api) ? api.listenFor(push, callSid, on) : api.listen(callSid, on));
  return { api: view, close: off };
}
