// `npm run demo -- <scenario>`: starts a simulated call on a running console (its WebSocket API), or with
// --standalone in a host of its own, printing the call as it goes. `npm run demo -- --list` lists the scenarios.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import type { ConsoleRequest, ConsoleServerMessage } from '../../shared/api';
import { DEMO_SCENARIOS, type CallEvent, type CommandResult, type DemoScenario } from '../../shared/model';
import { loadConfig } from '../config/load';
import { createLogger } from '../log';
import { SCENARIO_DESCRIPTIONS } from './scenarios';

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'run'; scenarios: DemoScenario[]; standalone: boolean }
  | { kind: 'error'; message: string };

export const USAGE = `Usage:
  npm run demo -- <scenario> [<scenario> …]          start simulated calls on the running console
                                                      (CONSOLE_PORT, CONSOLE_TOKEN from the environment or .env)
  npm run demo -- --standalone <scenario> [...]      run a host of its own and follow the calls to the end
  npm run demo -- --list                              list the scenarios`;

export function parseArgs(argv: readonly string[]): CliCommand {
  const flags = argv.filter((a) => a.startsWith('-'));
  const words = argv.filter((a) => !a.startsWith('-'));
  const unknown = flags.find((f) => !['--list', '--standalone', '--help', '-h'].includes(f));
  if (unknown) return { kind: 'error', message: `unknown option ${unknown}\n${USAGE}` };
  if (flags.includes('--help') || flags.includes('-h')) return { kind: 'help' };
  if (flags.includes('--list')) return { kind: 'list' };
  if (words.length === 0) return { kind: 'error', message: `name a scenario\n${USAGE}` };
  const bad = words.find((w) => !DEMO_SCENARIOS.includes(w as DemoScenario));
  if (bad) return { kind: 'error', message: `unknown scenario "${bad}": one of ${DEMO_SCENARIOS.join(', ')}` };
  return { kind: 'run', scenarios: words as DemoScenario[], standalone: flags.includes('--standalone') };
}

export function listText(): string {
  const width = Math.max(...DEMO_SCENARIOS.map((s) => s.length));
  return DEMO_SCENARIOS.map((s) => `  ${s.padEnd(width)}  ${SCENARIO_DESCRIPTIONS[s]}`).join('\n');
}

/** One line per event worth reading in a terminal; null for the rest (pacing windows, single marks…). */
export function describeEvent(e: CallEvent): string | null {
  switch (e.type) {
    case 'call.started':
      return `call from ${e.fromMasked}${e.simulated ? ' (simulated)' : ''}`;
    case 'prompt':
      return `bot asks: ${e.text}`;
    case 'bot.reply':
      return `bot (${e.via}): ${e.text}`;
    case 'transcript':
      return `caller: ${e.text}${e.confidence !== undefined ? ` (${e.confidence})` : ''}${e.scripted ? ' [scripted]' : ''}${e.backchannel ? ' — backchannel while the bot spoke: not a turn, the reply goes on' : ''}`.trim();
    case 'transcript.partial':
      return `  caller…: ${e.text}`;
    case 'transcription':
      return `transcription ${e.status}${e.code ? ` (${e.code})` : ''}${e.message ? `: ${e.message}` : ''}`;
    case 'bot.decision':
      return `bot decided ${e.action} by ${e.decidedBy} in ${e.ms} ms${e.error ? ` (${e.error})` : ''}`;
    case 'turn.latency':
      return `turn ${e.turn}: ${turnLatency(e)}`;
    case 'tts.job':
      return `tts ${e.status}${e.jobId ? ` ${e.jobId}` : ''}${e.firstAudioMs !== undefined ? `, first audio after ${e.firstAudioMs} ms` : ''}${e.error ? `: ${e.error}` : ''}`;
    case 'tts.part':
      return `  part ${e.part.part}: ${e.part.audioMs} ms of audio${e.part.flags.length ? ` [${e.part.flags.join(', ')}]` : ''}`;
    case 'bargein':
      if (e.decision === 'paused') return `bot paused: the caller talks ${e.heardMs} of ${e.replyMs} ms into the reply`;
      if (e.decision === 'resumed') return `bot resumed after ${e.pauseMs ?? '?'} ms (${e.verdict ?? 'not speech'})`;
      return `caller barged in after hearing ${e.heardMs} of ${e.replyMs} ms${detected(e.detectionLatencyMs)}`;
    case 'stream.stopped':
      return `stream stopped (${e.reason})`;
    case 'handoff':
      return `handoff ${e.status} (${e.source})${e.message ? `: ${e.message}` : ''}`;
    case 'alert':
      return `alert: ${e.alert.message}`;
    case 'error':
      return `error: ${e.message}`;
    case 'call.status':
      return `twilio status: ${e.status}`;
    case 'call.ended':
      return `ended: ${e.reason}`;
    default:
      return null;
  }
}

const detected = (ms: number | undefined) => (ms !== undefined ? ` (detected in ${ms} ms)` : '');

/** caller stopped -> final -> decision -> TTS job -> first frame, as ms steps (the parts the event has). */
function turnLatency(e: Extract<CallEvent, { type: 'turn.latency' }>): string {
  const steps: Array<[string, number | undefined]> = [
    ['final', e.finalAt],
    ['decided', e.decidedAt],
    ['tts job', e.ttsJobAt],
    ['first frame', e.firstFrameAt],
  ];
  let prev = e.callerStoppedAt ?? e.finalAt;
  const out = [e.callerStoppedAt !== undefined ? 'caller stopped' : 'final'];
  for (const [name, at] of e.callerStoppedAt !== undefined ? steps : steps.slice(1)) {
    if (at === undefined) continue;
    out.push(`+${Math.round(at - prev)} ms ${name}`);
    prev = at;
  }
  return out.join(' → ');
}

/** Asks the running console's WebSocket API to simulate `scenario`. */
export function simulateOnConsole(opts: { port: number; token: string; scenario: DemoScenario; timeoutMs?: number }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${opts.port}/api?token=${encodeURIComponent(opts.token)}`);
    const request: ConsoleRequest = { id: 1, method: 'simulate', params: [opts.scenario] };
    const timer = setTimeout(() => finish(new Error(`the console on port ${opts.port} did not answer within ${opts.timeoutMs ?? 15_000} ms`)), opts.timeoutMs ?? 15_000);
    let done = false;
    const finish = (outcome: Error | CommandResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.close();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    ws.on('open', () => ws.send(JSON.stringify(request)));
    ws.on('message', (data) => {
      let message: ConsoleServerMessage;
      try {
        message = JSON.parse(String(data)) as ConsoleServerMessage;
      } catch {
        return;
      }
      if ('push' in message || message.id !== request.id) return;
      finish(message.ok ? (message.result as CommandResult) : new Error(`the console refused: ${message.error}`));
    });
    ws.on('close', (code) =>
      finish(new Error(code === 4401 ? 'the console refused the token: set CONSOLE_TOKEN to the token in the console URL' : `the console closed the connection (code ${code})`)),
    );
    ws.on('error', (err: NodeJS.ErrnoException) =>
      finish(new Error(err.code === 'ECONNREFUSED' ? `no console is listening on 127.0.0.1:${opts.port}: start it with npm start (or use --standalone)` : err.message)),
    );
  });
}

/** Runs a demo host of its own, simulates the calls and prints them until they have all ended. */
export async function runStandalone(scenarios: DemoScenario[], print: (line: string) => void): Promise<boolean> {
  const { createHost } = await import('../host');
  const env = { ...process.env, DEMO: 'on', HTTP_PORT: '0', WS_PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'front-door-demo-')) };
  const config = loadConfig({ env });
  const host = createHost({ config, log: createLogger(process.env.LOG_LEVEL ?? 'warn') });
  await host.start();
  const pending = new Set<string>();
  let allEnded!: () => void;
  const ended = new Promise<void>((resolve) => (allEnded = resolve));
  const show = (e: CallEvent) => {
    const line = describeEvent(e);
    if (line) print(`${e.callSid.slice(0, 10)}… ${line}`);
  };
  const off = host.registry.onEvent((e) => {
    if (!pending.has(e.callSid)) return;
    show(e);
    if (e.type === 'call.status' && e.status === 'completed') {
      pending.delete(e.callSid);
      if (pending.size === 0) allEnded();
    }
  });
  let ok = true;
  try {
    for (const scenario of scenarios) {
      const result = await host.demo!.simulate(scenario);
      print(result.message);
      ok &&= result.ok;
      const sid = /CA[0-9a-f]{32}/.exec(result.message)?.[0];
      if (!result.ok || !sid) continue;
      host.registry.eventsOf(sid).forEach(show); // what happened while the call was being placed
      if (host.registry.get(sid)?.twilioStatus !== 'completed') pending.add(sid);
    }
    if (pending.size > 0) await ended;
  } finally {
    off();
    await host.stop();
  }
  return ok;
}

export async function main(argv: readonly string[], print = (line: string) => console.log(line)): Promise<number> {
  const command = parseArgs(argv);
  if (command.kind === 'help') return print(USAGE), 0;
  if (command.kind === 'list') return print(listText()), 0;
  if (command.kind === 'error') return print(`front-door demo: ${command.message}`), 2;
  try {
    if (command.standalone) return (await runStandalone(command.scenarios, print)) ? 0 : 1;
    const config = loadConfig();
    const token = config.settings.CONSOLE_TOKEN;
    if (!token) return print('front-door demo: set CONSOLE_TOKEN to the token in the console URL (or use --standalone)'), 2;
    let ok = true;
    for (const scenario of command.scenarios) {
      const result = await simulateOnConsole({ port: config.settings.CONSOLE_PORT, token, scenario });
      print(`${result.ok ? 'ok' : 'refused'}: ${result.message}`);
      ok &&= result.ok;
    }
    return ok ? 0 : 1;
  } catch (err) {
    print(`front-door demo: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
