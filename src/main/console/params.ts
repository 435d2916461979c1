// The parameters of every ConsoleApi method, as schemas: both doors (Electron IPC in shell/run.ts, the console
// WebSocket in console/server.ts) check a request against these before the host sees it, the way Mattermost Desktop
// validates each IPC handler's arguments. A method with no schema cannot be called (the Record makes a new
// ConsoleMethod without one a type error). Pure.
import { z } from 'zod';
import type { ConsoleMethod } from '../../shared/api';
import { DEMO_SCENARIOS } from '../../shared/model';

const callSid = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a call SID');
const historyQuery = z
  .strictObject({
    text: z.string().max(1000).optional(),
    since: z.number().finite().optional(),
    until: z.number().finite().optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
    cursor: z.string().max(200).optional(),
  })
  .optional();

export const CONSOLE_PARAMS: Record<ConsoleMethod, z.ZodType<unknown[]>> = {
  getCall: z.tuple([callSid]),
  listHistory: z.tuple([historyQuery]),
  exportCall: z.tuple([callSid]),
  handoff: z.tuple([callSid]),
  hangup: z.tuple([callSid]),
  simulate: z.tuple([z.enum(DEMO_SCENARIOS as [string, ...string[]])]),
  setAutoDemo: z.tuple([z.boolean()]),
  // operator powers: the text is checked again (length, blank) where it is spoken (console/operator.ts)
  say: z.tuple([callSid, z.string().max(2000)]),
  setBotMuted: z.tuple([callSid, z.boolean()]),
  runHealthChecks: z.tuple([]),
  // listen and recordings
  listen: z.tuple([callSid, z.boolean()]),
  getRecording: z.tuple([callSid]),
  exportRecording: z.tuple([callSid, z.enum(['mulaw', 'pcm16'])]),
};

export type ParamCheck = { ok: true; method: ConsoleMethod; params: unknown[] } | { ok: false; error: string };

/** A request from a door: a known method name (own property only) and parameters its schema accepts. */
export function checkConsoleRequest(method: unknown, params: unknown): ParamCheck {
  if (typeof method !== 'string' || !Object.hasOwn(CONSOLE_PARAMS, method)) return { ok: false, error: 'unknown method' };
  const parsed = CONSOLE_PARAMS[method as ConsoleMethod].safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `invalid parameters for ${method}: ${issue.path.join('.') || '(params)'} ${issue.message}` };
  }
  return { ok: true, method: method as ConsoleMethod, params: parsed.data };
}
