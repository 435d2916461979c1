// The compact, filterable protocol log: one virtualised line per event, following the tail.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { CallEvent } from '../../../../shared/model';
import { clockTime } from '../../format';
import { useT } from '../../i18n/useT';
import { EVENT_GROUPS, eventLines, filterLines, type EventGroup } from './event-lines';

const LINE_H = 22;

export const EventsLog = memo(function EventsLog({ events }: { events: CallEvent[] }) {
  const t = useT();
  const [groups, setGroups] = useState<Set<EventGroup>>(() => new Set(EVENT_GROUPS));
  const [text, setText] = useState('');
  const lines = useMemo(() => eventLines(events), [events]);
  const shown = useMemo(() => filterLines(lines, groups, text), [lines, groups, text]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  const virtualizer = useVirtualizer({ count: shown.length, getScrollElement: () => scrollRef.current, estimateSize: () => LINE_H, overscan: 12, initialRect: { width: 800, height: 160 } });

  useLayoutEffect(() => {
    if (stuck.current && shown.length) virtualizer.scrollToIndex(shown.length - 1, { align: 'end' });
  }, [shown.length, virtualizer]);

  const toggle = (g: EventGroup) =>
    setGroups((prev) => {
      const next = new Set(prev);
      if (next.has(g)) next.delete(g);
      else next.add(g);
      return next.size === 0 ? new Set(EVENT_GROUPS) : next;
    });

  return (
    <section className="panel events" aria-label={t('events.title')}>
      <div className="panel-head">
        <h3>{t('events.title')}</h3>
        <span className="panel-count">{shown.length === lines.length ? lines.length : `${shown.length}/${lines.length}`}</span>
        <div className="filters" role="group" aria-label={t('events.filter')}>
          {EVENT_GROUPS.map((g) => (
            <button key={g} type="button" className={`filter g-${g}${groups.has(g) ? ' on' : ''}`} aria-pressed={groups.has(g)} onClick={() => toggle(g)}>
              {g}
            </button>
          ))}
          <input className="filter-text" type="search" placeholder={t('events.filter')} aria-label={t('events.filter')} value={text} onChange={(e) => setText(e.target.value)} />
        </div>
      </div>
      <div
        className="log-scroll"
        ref={scrollRef}
        onScroll={(e) => {
          const el = e.currentTarget;
          stuck.current = el.scrollHeight - el.scrollTop - el.clientHeight < LINE_H;
        }}
      >
        {shown.length === 0 ? <div className="log-empty">{t('events.empty')}</div> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const line = shown[item.index];
            return (
              <div key={line.key} className={`log-line${line.bad ? ' bad' : ''}`} style={{ transform: `translateY(${item.start}px)`, height: LINE_H }}>
                <time>{clockTime(line.at, true)}</time>
                <span className={`log-type g-${line.group}`}>{line.type}</span>
                <span className="log-text" lang="ko">
                  {line.text}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
});
