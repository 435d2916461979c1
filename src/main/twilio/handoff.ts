// Handoff to Amazon Connect (CONNECT_DID) and operator hang-up. Outcomes become registry events.
import type { CommandResult, HandoffSource } from '../../shared/model';
import type { CallRegistry } from '../calls/registry';
import type { Config } from '../config/load';
import type { PublicUrls } from '../config/urls';
import type { Logger } from '../log';
import { dialTwiml as buildDialTwiml, transcriptionName } from '../twiml/build';
import { toTwilioRestError } from './errors';
import type { TwilioRest } from './rest';

export interface HandoffDeps {
  config: Config;
  registry: CallRegistry;
  rest: TwilioRest | null;
  urls: PublicUrls;
  log: Logger;
  /** Whether the call runs Real-Time Transcription (a streamed conversation): the handoff TwiML stops it first. */
  transcribing?(callSid: string): boolean;
}

const IN_PROGRESS = new Set(['requested', 'accepted', 'dialing', 'connected']);
const NO_REST = 'Twilio REST is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN';

export class HandoffService {
  /** Requests on their way to Twilio, per callSid: a second click joins the first instead of dialing again. */
  private readonly inFlight = new Map<string, Promise<CommandResult>>();

  constructor(private readonly deps: HandoffDeps) {}

  /** The one <Dial> TwiML ([stop the transcription,] HANDOFF_PROMPT, then CONNECT_DID): the keyword path and the REST update. */
  dialTwiml(callSid: string): string {
    const did = this.deps.config.settings.CONNECT_DID;
    if (!did) throw new Error(`Cannot hand off ${callSid}: CONNECT_DID is not set`);
    const stop = this.deps.transcribing?.(callSid) ? { stopTranscription: transcriptionName(callSid) } : {};
    return buildDialTwiml(this.deps.config.settings, this.deps.urls, did, stop);
  }

  /** Redirect the live call to the Dial TwiML through Twilio's REST API (the operator's button, or a keyword heard on a stream). */
  request(callSid: string, source: HandoffSource): Promise<CommandResult> {
    const pending = this.inFlight.get(callSid);
    if (pending) return pending;
    const refused = this.precheck(callSid);
    if (refused) return Promise.resolve(refused);
    const started = this.redirect(callSid, source).finally(() => this.inFlight.delete(callSid));
    this.inFlight.set(callSid, started);
    return started;
  }

  async hangup(callSid: string): Promise<CommandResult> {
    const { registry, rest, log } = this.deps;
    const call = registry.get(callSid);
    if (!call) return { ok: false, message: `Unknown call ${callSid}` };
    if (call.state === 'ended') return { ok: false, message: 'The call has already ended' };
    if (!rest) return { ok: false, message: NO_REST };
    try {
      await rest.hangup(callSid);
      registry.apply(callSid, { type: 'call.ended', reason: 'operator hung up' });
      log.info({ callSid }, 'operator hung up the call');
      return { ok: true, message: 'Call hung up' };
    } catch (error) {
      const e = toTwilioRestError(error);
      log.warn({ callSid, status: e.status, code: e.code }, `hangup failed: ${e.plain}`);
      // 21220: Twilio says the call is no longer in progress, so it has ended whatever we heard before
      if (e.code === 21220) registry.apply(callSid, { type: 'call.ended', reason: e.plain });
      return { ok: false, message: e.plain, ...(e.code !== undefined ? { code: e.code } : {}) };
    }
  }

  private precheck(callSid: string): CommandResult | null {
    const { registry, rest, config } = this.deps;
    const call = registry.get(callSid);
    if (!call) return { ok: false, message: `Unknown call ${callSid}` };
    if (call.state === 'ended') return { ok: false, message: 'The call has already ended' };
    if (!config.settings.CONNECT_DID) return { ok: false, message: 'CONNECT_DID is not set' };
    if (call.handoff && IN_PROGRESS.has(call.handoff.status)) {
      return { ok: true, message: `Handoff already in progress (${call.handoff.status})` };
    }
    if (!rest) return { ok: false, message: NO_REST };
    return null;
  }

  private async redirect(callSid: string, source: HandoffSource): Promise<CommandResult> {
    const { registry, rest, log } = this.deps;
    registry.apply(callSid, { type: 'handoff', status: 'requested', source, message: 'Asking Twilio to dial Amazon Connect' });
    try {
      await rest!.updateTwiml(callSid, this.dialTwiml(callSid));
      registry.apply(callSid, { type: 'handoff', status: 'accepted', source, message: 'Twilio accepted the handoff; dialing Amazon Connect' });
      log.info({ callSid, source }, 'handoff accepted by Twilio');
      return { ok: true, message: 'Handoff accepted; dialing Amazon Connect' };
    } catch (error) {
      const e = toTwilioRestError(error);
      registry.apply(callSid, { type: 'handoff', status: 'failed', source, message: e.plain, ...(e.code !== undefined ? { code: e.code } : {}) });
      log.warn({ callSid, source, status: e.status, code: e.code }, `handoff failed: ${e.plain}`);
      return { ok: false, message: e.plain, ...(e.code !== undefined ? { code: e.code } : {}) };
    }
  }
}
