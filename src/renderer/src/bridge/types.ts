// What the UI needs from a door to the host: the ConsoleApi plus the door's connection state.
import type { ConsoleApi } from '../../../shared/api';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'unauthorized';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Whether an access token was available (to tell "missing" from "invalid"). */
  tokenPresent: boolean;
  /** Reconnect attempts since the last successful connection. */
  attempt: number;
}

export interface Bridge extends ConsoleApi {
  onConnection(listener: (state: ConnectionState) => void): () => void;
  connection(): ConnectionState;
  close(): void;
}
