// A real host in a child process (src/main/serve.ts through tsx, as `npm run serve` runs it), for tests that must
// kill it (SIGKILL mid-call) or measure it from outside. Live mode, gather webhooks signed with a known token.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import twilio from 'twilio';

export const CHILD_AUTH_TOKEN = 'child-host-auth-token-0123456789';
export const CHILD_ACCOUNT_SID = 'AC' + 'c'.repeat(32);
export const CHILD_PUBLIC_URL = 'https://front-door-child.example.ngrok.app';

export interface HostChild {
  child: ChildProcess;
  ports: { http: number; ws: number };
  /** stdout + stderr so far (pino JSON lines). */
  output(): string;
  /** SIGTERM and wait for the exit (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

export async function startHostChild(dataDir: string, env: Record<string, string> = {}): Promise<HostChild> {
  const child = fork(join(__dirname, '../../src/main/serve.ts'), [], {
    execArgv: ['--import', 'tsx'],
    cwd: join(__dirname, '../..'),
    env: {
      ...process.env,
      NODE_NO_WARNINGS: '1',
      DEMO: 'off',
      TWILIO_AUTH_TOKEN: CHILD_AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: CHILD_ACCOUNT_SID,
      PUBLIC_URL: CHILD_PUBLIC_URL,
      HTTP_PORT: '0',
      WS_PORT: '0',
      CONSOLE_PORT: '0',
      CONSOLE_TOKEN: 'child-console-token-0123456789',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ports = await new Promise<{ http: number; ws: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host child did not start in time:\n${output}`)), 60_000);
    child.on('message', (m: { ready?: boolean; ports?: { http: number; ws: number } }) => {
      if (m?.ready && m.ports) {
        clearTimeout(timer);
        resolve(m.ports);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`host child exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    ports,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(force);
      return code;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** POST a form to the child as Twilio would (signed over the public URL). */
export async function postSigned(port: number, path: string, params: Record<string, string>, token = CHILD_AUTH_TOKEN): Promise<Response> {
  const signature = twilio.getExpectedTwilioSignature(token, CHILD_PUBLIC_URL + path, params);
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
}

export const callSidOf = (n: number): string => 'CA' + n.toString(16).padStart(32, '0');
