// The left rail's live list: virtualised, newest first, keyboard cursor kept in view, and rows that
// do not jump under the pointer when new calls arrive above them.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useT } from '../../i18n/useT';
import { useConsole } from '../../store/context';
import { CallRow, ROW_HEIGHT } from './CallRow';

/** How many callSids were inserted above the anchor (the first row that was in view). */
export function insertedAbove(previous: readonly string[], next: readonly string[], anchor: string | undefined): number {
  if (!anchor) return 0;
  const at = next.indexOf(anchor);
  if (at <= 0) return 0;
  const old = new Set(previous);
  let count = 0;
  for (let i = 0; i < at; i++) if (!old.has(next[i])) count++;
  return count;
}

export const CallList = memo(function CallList() {
  const t = useT();
  const order = useConsole((s) => s.order);
  const cursor = useConsole((s) => s.cursor);
  const scrollRef = useRef<HTMLDivElement>(null);
  const hovering = useRef(false);
  const previousOrder = useRef(order);
  const [newAbove, setNewAbove] = useState(0);
  const virtualizer = useVirtualizer({
    count: order.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    initialRect: { width: 340, height: 800 },
    getItemKey: (index) => order[index],
  });

  useLayoutEffect(() => {
    const el = scrollRef.current;
    const before = previousOrder.current;
    previousOrder.current = order;
    if (!el || before === order) return;
    const anchor = before[Math.floor(el.scrollTop / ROW_HEIGHT)];
    const added = insertedAbove(before, order, anchor);
    if (added > 0 && (el.scrollTop > 0 || hovering.current)) {
      const before = el.scrollTop;
      el.scrollTop = before + added * ROW_HEIGHT;
      // only when the list could actually scroll do the rows stay put and the new ones wait above
      if (el.scrollTop > before) setNewAbove((n) => n + added);
    }
  }, [order]);

  useEffect(() => {
    if (!cursor) return;
    const index = order.indexOf(cursor);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [cursor, order, virtualizer]);

  return (
    <div
      className="call-list"
      ref={scrollRef}
      role="listbox"
      aria-label={t('calls.title')}
      aria-activedescendant={cursor ? `call-${cursor}` : undefined}
      onMouseEnter={() => (hovering.current = true)}
      onMouseLeave={() => (hovering.current = false)}
      onScroll={(e) => {
        if (e.currentTarget.scrollTop < ROW_HEIGHT / 2 && newAbove) setNewAbove(0);
      }}
    >
      {newAbove > 0 ? (
        <button
          type="button"
          className="new-above"
          onClick={() => {
            scrollRef.current?.scrollTo({ top: 0 });
            setNewAbove(0);
          }}
        >
          ↑ {t('calls.newAbove', { n: newAbove })}
        </button>
      ) : null}
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => (
          <CallRow key={item.key as string} callSid={order[item.index]} top={item.start} />
        ))}
      </div>
    </div>
  );
});
