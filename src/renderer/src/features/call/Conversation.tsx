// The conversation, chat-like: caller left, bot right, barge-ins and handoff steps inline. Sticks to
// the bottom while the operator is there; otherwise offers a jump back without moving the text.
import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { CallEvent } from '../../../../shared/model';
import { clockTime, formatMs } from '../../format';
import type { T } from '../../i18n/useT';
import { useT } from '../../i18n/useT';
import { AlertIcon, HeadsetIcon, KeypadIcon, PauseIcon, PlayIcon } from '../../ui/icons';
import { LatencyWaterfall } from './LatencyWaterfall';
import { conversationOf, type BotItem, type CallerItem, type ConversationItem, type Decision, type Pause } from './timeline';

function CallerBubble({ item, t }: { item: CallerItem; t: T }) {
  const partial = item.provisional !== undefined;
  const stability = item.provisional?.stability;
  return (
    <div className={`msg msg-caller${partial ? ' provisional' : ''}`} data-kind="caller" data-state={partial ? 'partial' : 'final'}>
      <div className="msg-meta">
        <span className="msg-who">{t('conv.caller')}</span>
        <time>{clockTime(item.at)}</time>
        {partial ? (
          <span className="listening" title={t('conv.provisional')}>
            <span className="listening-dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            {t('conv.listening')}
          </span>
        ) : null}
        {partial && stability !== undefined ? <span className="msg-note">{t('conv.stability', { n: stability.toFixed(2) })}</span> : null}
        {item.confidence !== undefined ? (
          <span className={`conf${item.confidence < 0.6 ? ' low' : ''}`} title={t('conv.confidence')}>
            {item.confidence.toFixed(2)}
          </span>
        ) : null}
        {item.latencyMs !== undefined ? <span className="msg-note">{t('conv.latency', { ms: formatMs(item.latencyMs) })}</span> : null}
        {item.scripted ? (
          <span className="chip chip-tiny chip-scripted" title={t('conv.scriptedHint')}>
            {t('conv.scripted')}
          </span>
        ) : null}
      </div>
      <div className="bubble" lang="ko" aria-live={partial ? 'off' : undefined}>
        {item.text}
        {partial ? <span className="caret" aria-hidden="true" /> : null}
      </div>
    </div>
  );
}

function DecisionNote({ decision, t }: { decision: Decision; t: T }) {
  return (
    <span className={`decision decision-${decision.decidedBy}`} data-testid="decision" data-decided-by={decision.decidedBy}>
      {t('conv.decided', { by: t(`decision.${decision.decidedBy}`), ms: formatMs(decision.ms) })}
    </span>
  );
}

function PauseMark({ pause, t }: { pause: Pause; t: T }) {
  if (pause.open) {
    return (
      <div className="pause-mark open" data-testid="pause" data-verdict="open">
        <PauseIcon size={11} />
        {t('conv.paused.open')}
        {pause.probability !== undefined ? <span className="muted"> · {t('conv.paused.probability', { n: pause.probability.toFixed(2) })}</span> : null}
      </div>
    );
  }
  return (
    <div className={`pause-mark verdict-${pause.verdict ?? 'none'}`} data-testid="pause" data-verdict={pause.verdict ?? 'none'}>
      <PlayIcon size={10} />
      {t('conv.paused', { ms: formatMs(pause.pauseMs) })}
      {pause.verdict ? <span> — {t(`verdict.${pause.verdict}`)}</span> : <span> — {t('conv.paused.resumed')}</span>}
      {pause.words ? (
        <span className="pause-words" lang="ko">
          {' '}
          {pause.words}
        </span>
      ) : null}
    </div>
  );
}

function BotBubble({ item, t }: { item: BotItem; t: T }) {
  const cut = item.interrupted;
  const heard = cut && cut.replyMs > 0 ? Math.min(1, Math.max(0, cut.heardMs / cut.replyMs)) : undefined;
  const operator = item.replyKind === 'operator';
  const kind = item.replyKind;
  // msg-operator / data-operator: the names the ops helper's Say composer uses for the operator's words
  const classes = ['msg', 'msg-bot', item.outcome, cut ? 'interrupted' : '', operator ? 'operator msg-operator' : ''].filter(Boolean).join(' ');
  return (
    <div className={classes} data-kind="bot" data-reply-kind={item.replyKind} data-operator={operator || undefined} data-interrupted={cut ? 'true' : undefined}>
      <div className="msg-meta">
        <span className="msg-who">{operator ? t('conv.operator') : item.via === 'prompt' ? t('conv.prompt') : t('conv.bot')}</span>
        {kind && !operator ? <span className={`chip chip-tiny reply-kind rk-${kind}`}>{t(`reply.${kind}`)}</span> : null}
        {item.via !== 'stream' ? <span className="chip chip-tiny">say</span> : null}
        <time>{clockTime(item.at)}</time>
        {item.ttfaMs !== undefined ? <span className="msg-note">{t('conv.ttfa', { ms: formatMs(item.ttfaMs) })}</span> : null}
        {item.decision ? <DecisionNote decision={item.decision} t={t} /> : null}
      </div>
      <div className="bubble" lang="ko">
        {item.text}
        {heard !== undefined ? (
          <span className="heard" aria-hidden="true">
            <span className="heard-bar" style={{ width: `${Math.round(heard * 100)}%` }} />
          </span>
        ) : null}
      </div>
      {cut ? (
        <div className="heard-label" data-testid="heard">
          {t('conv.heard', { heard: formatMs(cut.heardMs), reply: formatMs(cut.replyMs) })}
        </div>
      ) : null}
      {item.pauses.map((p) => (
        <PauseMark key={p.key} pause={p} t={t} />
      ))}
      {item.decision?.decidedBy === 'fallback' ? <div className="msg-warn">{t('conv.fallback', { error: item.decision.error ?? '—' })}</div> : null}
      {item.outcome === 'failed' ? <div className="msg-error">{t('conv.ttsFailed', { error: item.error ?? '' })}</div> : null}
      {item.outcome === 'cancelled' && !cut ? <div className="msg-note">{t('conv.ttsCancelled')}</div> : null}
      {item.latency ? <LatencyWaterfall latency={item.latency} t={t} /> : null}
    </div>
  );
}

function systemText(item: Extract<ConversationItem, { kind: 'system' }>, t: T): string {
  switch (item.what) {
    case 'stream.started':
      return t('conv.streamStarted');
    case 'stream.stopped':
      return t('conv.streamStopped', { reason: item.detail ?? '' });
    case 'ended':
      return t('conv.ended', { reason: item.detail ?? '' });
    case 'status':
      return t('conv.status', { status: item.detail ?? '' });
    case 'transcription':
      if (item.status === 'error') {
        const message = [item.detail, item.code ? `(${item.code})` : ''].filter(Boolean).join(' ');
        return t('conv.transcription.error', { message: message || '—' });
      }
      return item.status === 'stopped' ? t('conv.transcription.stopped') : t('conv.transcription.started');
    case 'muted':
      return item.status === 'on' ? t('conv.muted.on') : t('conv.muted.off');
    case 'alert':
      return item.alertKind === 'bot_error' ? t('conv.alert.bot_error', { message: item.detail ?? '' }) : t('conv.alert.transcription_error', { message: item.detail ?? '' });
    case 'error':
      return item.detail ?? '';
  }
}

function Item({ item, t }: { item: ConversationItem; t: T }) {
  switch (item.kind) {
    case 'caller':
      return <CallerBubble item={item} t={t} />;
    case 'bot':
      return <BotBubble item={item} t={t} />;
    case 'bargein':
      return (
        <div className="inline-event bargein" data-kind="bargein">
          <PauseIcon size={12} />
          {t('conv.interrupter')}
          {item.speechMs !== undefined ? <span className="muted"> · {t('conv.bargein.speech', { ms: formatMs(item.speechMs) })}</span> : null}
          {item.trigger === 'transcript' ? <span className="muted"> · {t('conv.bargein.transcript')}</span> : null}
          {item.detectionLatencyMs !== undefined ? <span className="muted"> · {t('conv.bargein.detected', { ms: formatMs(item.detectionLatencyMs) })}</span> : null}
        </div>
      );
    case 'decision':
      return (
        <div className={`inline-event system decision-line${item.decision.decidedBy === 'fallback' ? ' warn' : ''}`} data-kind="decision">
          {t('conv.decisionOnly', {
            turn: item.decision.turn,
            action: t(`decision.action.${item.decision.action}`),
            by: t(`decision.${item.decision.decidedBy}`),
            ms: formatMs(item.decision.ms),
          })}
          {item.decision.error ? <span> — {item.decision.error}</span> : null}
        </div>
      );
    case 'latency':
      return (
        <div className="msg msg-bot" data-kind="latency">
          <LatencyWaterfall latency={item.latency} t={t} />
        </div>
      );
    case 'dtmf':
      return (
        <div className="msg msg-caller" data-kind="dtmf">
          <div className="dtmf">
            <KeypadIcon size={12} /> {t('conv.dtmf', { digit: item.digit })}
          </div>
        </div>
      );
    case 'handoff':
      return (
        <div className={`inline-event handoff handoff-${item.status}`} data-kind="handoff" data-status={item.status}>
          <HeadsetIcon size={12} />
          {t(`handoff.${item.status}`)}
          <span className="muted"> · {t(`handoff.by.${item.source}`)}</span>
          {item.message ? <span> — {item.message}</span> : null}
          {item.code ? <span className="muted"> (Twilio {item.code})</span> : null}
        </div>
      );
    case 'system': {
      const bad = item.what === 'error' || item.what === 'alert' || (item.what === 'transcription' && item.status === 'error');
      return (
        <div className={`inline-event system${bad ? ' error' : ''}${item.what === 'muted' ? ' muted-line' : ''}`} data-kind="system" data-what={item.what}>
          {bad ? <AlertIcon size={12} /> : null}
          {systemText(item, t)}
        </div>
      );
    }
  }
}

export const Conversation = memo(function Conversation({ events }: { events: CallEvent[] }) {
  const t = useT();
  const items = useMemo(() => conversationOf(events), [events]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [stuck, setStuck] = useState(true);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && stuck) el.scrollTop = el.scrollHeight;
  }, [items, stuck]);

  return (
    <section className="panel conversation" aria-label={t('conv.title')}>
      <div className="panel-head">
        <h3>{t('conv.title')}</h3>
        <span className="panel-count">{items.filter((i) => (i.kind === 'caller' && !i.provisional) || i.kind === 'bot').length}</span>
      </div>
      <div
        className="conv-scroll"
        ref={scrollRef}
        aria-live="polite"
        data-items={items.length}
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          if (atBottom !== stuck) setStuck(atBottom);
        }}
      >
        {items.length === 0 ? <div className="conv-empty">{t('conv.empty')}</div> : items.map((item) => <Item key={item.key} item={item} t={t} />)}
      </div>
      {!stuck ? (
        <button type="button" className="jump" onClick={() => setStuck(true)}>
          ↓ {t('conv.jump')}
        </button>
      ) : null}
    </section>
  );
});
