// The TwiML webhook app: every route behind the same guard (form body ≤ 200 KB, X-Twilio-Signature, CallSid), JSON errors.
import express from 'express';
import type { CallRegistry } from '../calls/registry';
import type { Config } from '../config/load';
import type { ConversationManager } from '../conversation/manager';
import type { PublicUrls } from '../config/urls';
import type { Logger } from '../log';
import { StreamAdmission } from '../media/admission';
import type { HandoffService } from '../twilio/handoff';
import { authTokenFor } from '../twilio/rest';
import { ROUTES } from './build';
import { callStatus, dialStatus, streamStatus } from './callbacks';
import type { RouteContext } from './context';
import { afterStream, handleSpeech, transcription, voiceGather, voiceStream } from './conversation';
import { checkSignature, jsonErrors, parseForm, requireCallSid, requireForm } from './guard';

export interface TwimlDeps {
  config: Config;
  registry: CallRegistry;
  log: Logger;
  urls: PublicUrls;
  handoff: HandoffService;
  now?: () => number;
  conversations?: ConversationManager;
  /** The host's admission (shared with the media server); a private one when absent (TwiML-only tests). */
  admission?: StreamAdmission;
}

export function createTwimlApp(deps: TwimlDeps): express.Express {
  const { config, log, urls } = deps;
  const s = config.settings;
  const ctx: RouteContext = { ...deps, now: deps.now ?? Date.now, admission: deps.admission ?? new StreamAdmission({ log: deps.log }) };

  const skip = s.SKIP_SIGNATURE_VALIDATION;
  const token = skip ? null : authTokenFor(config);
  if (!skip && token === null) throw new Error('TWILIO_AUTH_TOKEN is required to validate X-Twilio-Signature');
  if (skip) log.warn('SKIP_SIGNATURE_VALIDATION=true: webhooks are accepted without checking X-Twilio-Signature');
  if (s.SPEECH_TIMEOUT === 'auto' && s.SPEECH_MODEL !== 'default') {
    log.warn({ speechModel: s.SPEECH_MODEL }, `SPEECH_TIMEOUT=auto is not allowed with an explicit speech model; using ${s.GATHER_TIMEOUT_S} s`);
  }

  const app = express();
  app.disable('x-powered-by');
  const guard = [requireForm, parseForm, checkSignature(token, urls, log), requireCallSid];

  app.post(ROUTES.voiceGather, guard, voiceGather(ctx));
  app.post(ROUTES.handleSpeech, guard, handleSpeech(ctx));
  app.post(ROUTES.voiceStream, guard, voiceStream(ctx));
  app.post(ROUTES.afterStream, guard, afterStream(ctx));
  app.post(ROUTES.callStatus, guard, callStatus(ctx));
  app.post(ROUTES.dialStatus, guard, dialStatus(ctx));
  app.post(ROUTES.streamStatus, guard, streamStatus(ctx));
  app.post(ROUTES.transcription, guard, transcription(ctx));

  app.all(Object.values(ROUTES), (_req, res) => {
    res.status(405).set('Allow', 'POST').json({ error: 'Twilio webhooks are POST' });
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found' });
  });
  app.use(jsonErrors(log));
  return app;
}
