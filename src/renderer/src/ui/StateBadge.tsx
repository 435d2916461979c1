// A call's state as a coloured dot plus the word (colour is never the only signal).
import type { CallState } from '../../../shared/model';
import { useT } from '../i18n/useT';

export function StateBadge({ state, compact = false }: { state: CallState; compact?: boolean }) {
  const t = useT();
  return (
    <span className={`state state-${state}${compact ? ' state-compact' : ''}`} data-state={state}>
      <span className="state-dot" aria-hidden="true" />
      <span className="state-word">{t(`state.${state}`)}</span>
    </span>
  );
}
