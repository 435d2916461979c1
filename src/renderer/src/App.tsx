// The console shell: status bar, live rail, the current view, dialogs, toasts and the connection
// state. Keyboard: ↑/↓ move, Enter opens, H asks to hand off (still confirms).
import { useEffect } from 'react';
import { ConfirmDialog } from './features/call/ConfirmDialog';
import { CallView } from './features/call/CallView';
import { handoffBlockedReason } from './features/call/handoff-rules';
import { EmptyState } from './features/calls/EmptyState';
import { keyAction } from './features/calls/keyboard';
import { Rail } from './features/calls/Rail';
import { HistoryView } from './features/history/HistoryView';
import { HealthBanner } from './features/setup/HealthCard';
import { SetupView } from './features/setup/SetupView';
import { StatusBar } from './features/status/StatusBar';
import { translate } from './i18n/strings';
import { useT } from './i18n/useT';
import type { ConsoleStore } from './store/store';
import { useActions, useConsole } from './store/context';
import { selectedCallOf } from './store/live';
import { ConnectionScreen } from './ui/ConnectionScreen';
import { Toasts } from './ui/Toasts';

function LiveMain() {
  const hasLive = useConsole((s) => s.selected?.origin === 'live');
  return hasLive ? <CallView /> : <EmptyState />;
}

function useKeyboard(store: ConsoleStore) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const state = store.getState();
      const target = e.target as HTMLElement | null;
      const action = keyAction({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        altKey: e.altKey,
        targetTag: target?.tagName,
        targetEditable: target?.isContentEditable,
        dialogOpen: state.confirm !== null,
        view: state.view,
      });
      if (!action) return;
      e.preventDefault();
      const { actions } = state;
      if (action === 'up') actions.moveCursor(-1);
      else if (action === 'down') actions.moveCursor(1);
      else if (action === 'open') actions.openCursor();
      else if (action === 'handoff') {
        const sel = state.selected;
        if (!sel || sel.origin !== 'live') {
          actions.toast('info', translate(state.prefs.locale, 'empty.pick'));
          return;
        }
        const why = handoffBlockedReason(selectedCallOf(state), state.settings, sel.readOnly);
        if (why) actions.toast('info', translate(state.prefs.locale, why));
        else actions.ask('handoff', sel.callSid);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}

export function App({ store }: { store: ConsoleStore }) {
  const t = useT();
  const view = useConsole((s) => s.view);
  const theme = useConsole((s) => s.prefs.theme);
  const presentation = useConsole((s) => s.prefs.presentation);
  const locale = useConsole((s) => s.prefs.locale);
  const { setView } = useActions();
  useKeyboard(store);

  useEffect(() => {
    document.documentElement.lang = locale;
    document.documentElement.style.colorScheme = theme;
    document.documentElement.dataset.theme = theme;
    document.title = `Front Door — ${t('nav.live')}`;
  }, [locale, theme, t]);

  useEffect(() => {
    if (presentation && view === 'setup') setView('live');
  }, [presentation, view, setView]);

  return (
    <div className="app" data-theme={theme} data-presentation={presentation || undefined}>
      <StatusBar />
      <HealthBanner />
      <div className="body">
        <Rail />
        <main className="main" aria-live="off">
          {view === 'live' ? <LiveMain /> : view === 'history' ? <HistoryView /> : <SetupView />}
        </main>
      </div>
      <ConfirmDialog />
      <Toasts />
      <ConnectionScreen />
    </div>
  );
}
