// Listen with an operator-readable error: which port, which setting, what to do.
import type { Server } from 'node:net';

export class PortError extends Error {
  constructor(
    readonly setting: string,
    readonly port: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'PortError';
  }
}

export function listen(server: Server, port: number, host: string, setting: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const why =
        err.code === 'EADDRINUSE'
          ? `Port ${port} (${setting}) is already in use: stop the other program or set ${setting} to a free port`
          : err.code === 'EACCES'
            ? `Port ${port} (${setting}) needs elevated privileges: choose a port above 1023`
            : `Could not listen on ${host}:${port} (${setting}): ${err.message}`;
      reject(new PortError(setting, port, why));
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
