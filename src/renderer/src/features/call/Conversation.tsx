// The conversation, chat-like: caller left, bot right, barge-ins and handoff steps inline. Sticks to
// the bottom while the operator is there; otherwise offers a jump back without moving the text.
import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { CallEvent } from '../../../../shared/model';
import { clockTime, formatMs } from '../../format';
import type { T } from '../../i18n/useT';
import { useT } from '../../i18n/useT';
import { AlertIcon, HeadsetIcon, KeypadIcon, PauseIcon } from '../../ui/icons';
import { conversationOf, type ConversationItem } from './timeline';

function Item({ item, t }: { item: ConversationItem; t: T }) {
  switch (item.kind) {
    case 'caller':
      return (
        <div className="msg msg-caller" data-kind="caller">
          <div className="msg-meta">
            <span className="msg-who">{t('conv.caller')}</span>
            <time>{clockTime(item.at)}</time>
            {item.confidence !== undefined ? (
              <span className={`conf${item.confidence < 0.6 ? ' low' : ''}`} title={t('conv.confidence')}>
                {item.confidence.toFixed(2)}
              </span>
            ) : null}
            {item.latencyMs !== undefined ? <span className="msg-note">{t('conv.latency', { ms: formatMs(item.latencyMs) })}</span> : null}
          </div>
          <div className="bubble" lang="ko">
            {item.text}
          </div>
        </div>
      );
    case 'bot': {
      const heard = item.heardMs !== undefined && item.replyMs ? Math.min(1, item.heardMs / item.replyMs) : undefined;
      return (
        <div className={`msg msg-bot${item.operator ? ' msg-operator' : ''}${item.outcome ? ` ${item.outcome}` : ''}${heard !== undefined ? ' interrupted' : ''}`} data-kind="bot" data-operator={item.operator || undefined}>
          <div className="msg-meta">
            <span className="msg-who">{item.operator ? t('conv.operator') : item.via === 'prompt' ? t('conv.prompt') : t('conv.bot')}</span>
            <span className="chip chip-tiny">{item.via === 'prompt' ? 'say' : item.via}</span>
            <time>{clockTime(item.at)}</time>
            {item.ttfaMs !== undefined ? <span className="msg-note">{t('conv.ttfa', { ms: formatMs(item.ttfaMs) })}</span> : null}
          </div>
          <div className="bubble" lang="ko">
            {item.text}
            {heard !== undefined ? (
              <span className="heard" aria-hidden="true">
                <span className="heard-bar" style={{ width: `${Math.round(heard * 100)}%` }} />
              </span>
            ) : null}
          </div>
          {item.outcome === 'failed' ? <div className="msg-error">{t('conv.ttsFailed', { error: item.error ?? '' })}</div> : null}
          {item.outcome === 'cancelled' && heard === undefined ? <div className="msg-note">{t('conv.ttsCancelled')}</div> : null}
        </div>
      );
    }
    case 'bargein':
      return (
        <div className="inline-event bargein" data-kind="bargein">
          <PauseIcon size={12} />
          {t('conv.bargein', { heard: formatMs(item.heardMs), reply: formatMs(item.replyMs) })}
          <span className="muted"> · {formatMs(item.detectionLatencyMs)}</span>
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
      const text =
        item.what === 'stream.started'
          ? t('conv.streamStarted')
          : item.what === 'stream.stopped'
            ? t('conv.streamStopped', { reason: item.detail ?? '' })
            : item.what === 'ended'
              ? t('conv.ended', { reason: item.detail ?? '' })
              : item.what === 'status'
                ? t('conv.status', { status: item.detail ?? '' })
                : (item.detail ?? '');
      return (
        <div className={`inline-event system${item.what === 'error' ? ' error' : ''}`} data-kind="system">
          {item.what === 'error' ? <AlertIcon size={12} /> : null}
          {text}
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
        <span className="panel-count">{items.filter((i) => i.kind === 'caller' || i.kind === 'bot').length}</span>
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
