// TwiML as the simulated Twilio reads it: a real XML parse into typed verbs, URLs resolved like Twilio does.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type Method = 'GET' | 'POST';

export interface SayVerb {
  verb: 'say';
  text: string;
  voice?: string;
  language?: string;
  loop: number;
}
export interface PauseVerb {
  verb: 'pause';
  seconds: number;
}
export interface PlayVerb {
  verb: 'play';
  url: string;
  loop: number;
}
export type PromptVerb = SayVerb | PauseVerb | PlayVerb;

export interface GatherVerb {
  verb: 'gather';
  /** Absolute; defaults to the current document's URL, as Twilio does. */
  action: string;
  method: Method;
  input: string[];
  timeoutS: number;
  speechTimeout: 'auto' | number;
  actionOnEmptyResult: boolean;
  bargeIn: boolean;
  language: string;
  speechModel?: string;
  hints?: string;
  prompts: PromptVerb[];
}

export interface StreamVerb {
  verb: 'connect-stream';
  /** <Connect action>: requested when our server closes the socket; absent = go on with the next verb. */
  action?: string;
  method: Method;
  url: string;
  name?: string;
  statusCallback?: string;
  statusCallbackMethod: Method;
  parameters: Record<string, string>;
}

export interface DialNumber {
  number: string;
  statusCallback?: string;
  statusCallbackMethod: Method;
  /** Events that are posted to statusCallback; with none listed Twilio sends only `completed`. */
  statusCallbackEvent: string[];
}

export interface DialVerb {
  verb: 'dial';
  action?: string;
  method: Method;
  timeoutS: number;
  callerId?: string;
  numbers: DialNumber[];
}

export interface RedirectVerb {
  verb: 'redirect';
  url: string;
  method: Method;
}

/** <Start><Transcription>: Real-Time Transcription of the call, running beside whatever verbs follow. */
export interface StartTranscriptionVerb {
  verb: 'start-transcription';
  name?: string;
  track: 'inbound_track' | 'outbound_track' | 'both_tracks';
  languageCode: string;
  transcriptionEngine?: string;
  speechModel?: string;
  partialResults: boolean;
  hints?: string;
  /** Absolute; without one Twilio transcribes but tells nobody. */
  statusCallbackUrl?: string;
  statusCallbackMethod: Method;
}

/** <Stop><Transcription name>: stops the named transcription (all unnamed ones when no name is given). */
export interface StopTranscriptionVerb {
  verb: 'stop-transcription';
  name?: string;
}

export type Verb =
  | PromptVerb
  | GatherVerb
  | StreamVerb
  | DialVerb
  | RedirectVerb
  | StartTranscriptionVerb
  | StopTranscriptionVerb
  | { verb: 'hangup' }
  | { verb: 'reject' };

/** The document could not be run (Twilio would say "an application error has occurred" and hang up). */
export class TwimlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TwimlError';
  }
}

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

function tagOf(node: Node): string {
  const tag = Object.keys(node).find((k) => k !== ':@');
  if (!tag) throw new TwimlError('empty XML node');
  return tag;
}
function childrenOf(node: Node): Node[] {
  return (node[tagOf(node)] as Node[]) ?? [];
}
function textOf(node: Node): string {
  return childrenOf(node)
    .filter((c) => '#text' in c)
    .map((c) => String(c['#text']))
    .join('')
    .trim();
}
function elements(node: Node): Node[] {
  return childrenOf(node).filter((c) => !('#text' in c) && !tagOf(c).startsWith('?') && !('#comment' in c));
}

function method(value: string | undefined, where: string): Method {
  const m = (value ?? 'POST').toUpperCase();
  if (m !== 'GET' && m !== 'POST') throw new TwimlError(`${where} method must be GET or POST (got "${value}")`);
  return m;
}

function int(value: string | undefined, fallback: number, where: string): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new TwimlError(`${where} must be a whole number (got "${value}")`);
  return Number(value);
}

function bool(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value.toLowerCase() === 'true';
}

/** Resolve a (possibly relative) URL against the document URL; documents sent through REST have none. */
export function resolveUrl(url: string, documentUrl: string | undefined, where: string): string {
  try {
    return new URL(url, documentUrl).toString();
  } catch {
    throw new TwimlError(
      documentUrl ? `${where} URL "${url}" is not a valid URL` : `${where} URL "${url}" must be absolute in TwiML sent through the REST API`,
    );
  }
}

function prompt(node: Node, documentUrl: string | undefined): PromptVerb {
  const a = node[':@'] ?? {};
  const tag = tagOf(node);
  if (tag === 'Say') return { verb: 'say', text: textOf(node), voice: a.voice, language: a.language, loop: int(a.loop, 1, '<Say loop>') };
  if (tag === 'Pause') return { verb: 'pause', seconds: int(a.length, 1, '<Pause length>') };
  if (tag === 'Play') return { verb: 'play', url: resolveUrl(textOf(node), documentUrl, '<Play>'), loop: int(a.loop, 1, '<Play loop>') };
  throw new TwimlError(`<${tag}> is not allowed inside <Gather>`);
}

function gather(node: Node, documentUrl: string | undefined): GatherVerb {
  const a = node[':@'] ?? {};
  if (!a.action && !documentUrl) throw new TwimlError('<Gather> needs an absolute action in TwiML sent through the REST API');
  const timeoutS = int(a.timeout, 5, '<Gather timeout>');
  const speechTimeout = a.speechTimeout === 'auto' ? 'auto' : int(a.speechTimeout, timeoutS, '<Gather speechTimeout>');
  if (a.speechModel && speechTimeout === 'auto') throw new TwimlError('<Gather speechTimeout> must be a whole number when speechModel is set');
  return {
    verb: 'gather',
    action: resolveUrl(a.action ?? documentUrl!, documentUrl, '<Gather action>'),
    method: method(a.method, '<Gather>'),
    input: (a.input ?? 'dtmf').split(/\s+/).filter(Boolean),
    timeoutS,
    speechTimeout,
    actionOnEmptyResult: bool(a.actionOnEmptyResult, false),
    bargeIn: bool(a.bargeIn, true),
    language: a.language ?? 'en-US',
    speechModel: a.speechModel,
    hints: a.hints,
    prompts: elements(node).map((c) => prompt(c, documentUrl)),
  };
}

function connect(node: Node, documentUrl: string | undefined): StreamVerb {
  const a = node[':@'] ?? {};
  const inner = elements(node);
  const stream = inner[0];
  if (inner.length !== 1 || !stream || tagOf(stream) !== 'Stream') throw new TwimlError('the simulator runs <Connect> with exactly one <Stream>');
  const s = stream[':@'] ?? {};
  if (!s.url) throw new TwimlError('<Stream> needs a url');
  if (!/^wss?:\/\//.test(s.url)) throw new TwimlError(`<Stream url> must be wss:// (Twilio 31922), got "${s.url}"`);
  if (s.url.includes('?')) throw new TwimlError('<Stream url> must not carry a query string; use <Parameter>');
  if (s.track && s.track !== 'inbound_track') throw new TwimlError(`<Stream track="${s.track}"> is invalid under <Connect> (Twilio 31941)`);
  const parameters: Record<string, string> = {};
  for (const p of elements(stream)) {
    const pa = p[':@'] ?? {};
    if (tagOf(p) !== 'Parameter' || !pa.name) throw new TwimlError('<Stream> may only hold <Parameter name value>');
    parameters[pa.name] = pa.value ?? '';
  }
  return {
    verb: 'connect-stream',
    action: a.action ? resolveUrl(a.action, documentUrl, '<Connect action>') : undefined,
    method: method(a.method, '<Connect>'),
    url: s.url,
    name: s.name,
    statusCallback: s.statusCallback ? resolveUrl(s.statusCallback, documentUrl, '<Stream statusCallback>') : undefined,
    statusCallbackMethod: method(s.statusCallbackMethod, '<Stream statusCallback>'),
    parameters,
  };
}

function dial(node: Node, documentUrl: string | undefined): DialVerb {
  const a = node[':@'] ?? {};
  const timeoutS = int(a.timeout, 30, '<Dial timeout>');
  if (timeoutS < 5 || timeoutS > 600) throw new TwimlError(`<Dial timeout> must be 5-600 (got ${timeoutS})`);
  const numbers: DialNumber[] = [];
  const bare = textOf(node);
  if (bare) numbers.push({ number: bare, statusCallbackMethod: 'POST', statusCallbackEvent: [] });
  for (const n of elements(node)) {
    if (tagOf(n) !== 'Number') throw new TwimlError(`the simulator dials <Number> only, not <${tagOf(n)}>`);
    const na = n[':@'] ?? {};
    numbers.push({
      number: textOf(n),
      statusCallback: na.statusCallback ? resolveUrl(na.statusCallback, documentUrl, '<Number statusCallback>') : undefined,
      statusCallbackMethod: method(na.statusCallbackMethod, '<Number statusCallback>'),
      statusCallbackEvent: (na.statusCallbackEvent ?? '').split(/\s+/).filter(Boolean),
    });
  }
  if (numbers.length === 0) throw new TwimlError('<Dial> has nothing to dial');
  for (const n of numbers) if (!/^\+[1-9]\d{6,14}$/.test(n.number)) throw new TwimlError(`<Number> "${n.number}" is not E.164 (Twilio 13224)`);
  return {
    verb: 'dial',
    action: a.action ? resolveUrl(a.action, documentUrl, '<Dial action>') : undefined,
    method: method(a.method, '<Dial>'),
    timeoutS,
    callerId: a.callerId,
    numbers,
  };
}

const TRACKS = ['inbound_track', 'outbound_track', 'both_tracks'] as const;

/** <Start> / <Stop> with one <Transcription> (the simulator runs no <Stream>/<Siprec> forks). */
function fork(node: Node, documentUrl: string | undefined): StartTranscriptionVerb | StopTranscriptionVerb {
  const tag = tagOf(node);
  const inner = elements(node);
  const t = inner[0];
  if (inner.length !== 1 || !t || tagOf(t) !== 'Transcription') throw new TwimlError(`the simulator runs <${tag}> with exactly one <Transcription>`);
  const a = t[':@'] ?? {};
  if (tag === 'Stop') return { verb: 'stop-transcription', ...(a.name ? { name: a.name } : {}) };
  const track = a.track ?? 'both_tracks';
  if (!(TRACKS as readonly string[]).includes(track)) throw new TwimlError(`<Transcription track="${track}"> must be one of ${TRACKS.join(', ')}`);
  for (const c of elements(t)) {
    if (tagOf(c) !== 'Config' && tagOf(c) !== 'Parameter') throw new TwimlError(`<Transcription> may only hold <Config> and <Parameter>, not <${tagOf(c)}>`);
  }
  return {
    verb: 'start-transcription',
    ...(a.name ? { name: a.name } : {}),
    track: track as StartTranscriptionVerb['track'],
    languageCode: a.languageCode ?? 'en-US',
    ...(a.transcriptionEngine ? { transcriptionEngine: a.transcriptionEngine } : {}),
    ...(a.speechModel ? { speechModel: a.speechModel } : {}),
    partialResults: bool(a.partialResults, false),
    ...(a.hints ? { hints: a.hints } : {}),
    ...(a.statusCallbackUrl ? { statusCallbackUrl: resolveUrl(a.statusCallbackUrl, documentUrl, '<Transcription statusCallbackUrl>') } : {}),
    statusCallbackMethod: method(a.statusCallbackMethod, '<Transcription statusCallback>'),
  };
}

function verb(node: Node, documentUrl: string | undefined): Verb {
  const tag = tagOf(node);
  const a = node[':@'] ?? {};
  switch (tag) {
    case 'Say':
    case 'Pause':
    case 'Play':
      return prompt(node, documentUrl);
    case 'Gather':
      return gather(node, documentUrl);
    case 'Connect':
      return connect(node, documentUrl);
    case 'Dial':
      return dial(node, documentUrl);
    case 'Start':
    case 'Stop':
      return fork(node, documentUrl);
    case 'Redirect':
      return { verb: 'redirect', url: resolveUrl(textOf(node), documentUrl, '<Redirect>'), method: method(a.method, '<Redirect>') };
    case 'Hangup':
      return { verb: 'hangup' };
    case 'Reject':
      return { verb: 'reject' };
    default:
      throw new TwimlError(`<${tag}> is not a verb the simulator knows`);
  }
}

/** Parse a TwiML document. `documentUrl` is the URL it was fetched from (undefined for TwiML sent through REST). */
export function parseTwiml(xml: string, documentUrl?: string): Verb[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new TwimlError(`TwiML is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const roots = (parser.parse(xml) as Node[]).filter((n) => !tagOf(n).startsWith('?') && !('#comment' in n));
  const root = roots[0];
  if (roots.length !== 1 || !root || tagOf(root) !== 'Response') throw new TwimlError('TwiML must have one <Response> root');
  return elements(root).map((n) => verb(n, documentUrl));
}
