// ops: the operator speaks to the caller. A compact composer under the call header: Korean text (Enter says it,
// Shift+Enter a new line), the saved phrases (OPERATOR_PHRASES) one click away, and Hold / Resume bot on a streamed
// call. Where the words go (the stream's TTS or Twilio <Say>) is the host's choice; the hint says which.
import { memo, useState } from 'react';
import type { Call } from '../../../../shared/model';
import { streamOpen } from '../../../../shared/operator';
import { useT } from '../../i18n/useT';
import { useActions, useConsole } from '../../store/context';
import { botMuted } from '../../store/live';
import { PlayIcon } from '../../ui/icons';

const MAX = 400;
const NO_PHRASES: string[] = [];

export const SayComposer = memo(function SayComposer({ call }: { call: Call }) {
  const t = useT();
  const events = useConsole((s) => (s.selected?.callSid === call.callSid ? s.selected.events : null));
  const phrases = useConsole((s) => s.settings?.operatorPhrases ?? NO_PHRASES);
  const busy = useConsole((s) => s.operatorBusy[call.callSid]);
  const { say, setBotMuted } = useActions();
  const [text, setText] = useState('');
  const onStream = streamOpen(events ?? []);
  const held = botMuted(events ?? []);
  const trimmed = text.trim();

  const send = async (words: string) => {
    if (!words.trim() || busy) return;
    const ok = await say(call.callSid, words);
    if (ok && words === text) setText('');
  };

  return (
    <section className={`say${held ? ' say-held' : ''}`} aria-label={t('say.title')} data-testid="say-composer">
      <div className="say-head">
        <span className="say-title">{t('say.title')}</span>
        <span className="say-via muted" title={t('say.hint')}>
          {t(onStream ? 'say.viaStream' : 'say.viaGather')}
        </span>
        {held ? <span className="chip chip-warn say-held-badge">{t('say.heldBadge')}</span> : null}
        <span className="say-count muted">
          {text.length}/{MAX}
        </span>
      </div>
      <div className="say-row">
        <textarea
          className="say-input"
          lang="ko"
          rows={1}
          maxLength={MAX}
          value={text}
          placeholder={t('say.placeholder')}
          aria-label={t('say.placeholder')}
          title={t('say.hint')}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void send(text);
            }
          }}
        />
        <button type="button" className="btn btn-primary say-send" disabled={!trimmed || busy !== undefined} onClick={() => void send(text)}>
          <PlayIcon size={13} />
          {busy === 'say' ? t('say.sending') : t('say.send')}
        </button>
      </div>
      <div className="say-foot">
        <div className="say-phrases" role="group" aria-label={t('say.phrases')}>
          {phrases.map((p) => (
            <button key={p} type="button" className="phrase" lang="ko" disabled={busy !== undefined} onClick={() => void send(p)} title={p}>
              {p}
            </button>
          ))}
        </div>
        <button
          type="button"
          className={`btn btn-sm ${held ? 'btn-primary' : 'btn-secondary'} say-mute`}
          disabled={!onStream || busy !== undefined}
          title={onStream ? undefined : t('say.muteGatherOnly')}
          aria-pressed={held}
          onClick={() => void setBotMuted(call.callSid, !held)}
        >
          {t(held ? 'say.resume' : 'say.mute')}
        </button>
      </div>
    </section>
  );
});
