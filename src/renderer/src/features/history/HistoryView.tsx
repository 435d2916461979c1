// History: finished calls from disk, searchable by number, words and date; opens the same call
// view read-only, with export as JSON.
import { useEffect, useRef, useState } from 'react';
import type { HistoryQuery } from '../../../../shared/model';
import { callDuration, dateTime, displayNumber, formatDuration } from '../../format';
import { useT } from '../../i18n/useT';
import { useActions, useConsole } from '../../store/context';
import { ArrowLeftIcon, DownloadIcon, SearchIcon } from '../../ui/icons';
import { StateBadge } from '../../ui/StateBadge';
import { CallView } from '../call/CallView';
import { RecordingPlayer } from '../monitor/RecordingPlayer';
import { selectedCallOf } from '../../store/live';

/** The query for the form's values (dates are local days, inclusive). */
export function historyQuery(text: string, since: string, until: string): HistoryQuery {
  const query: HistoryQuery = { limit: 500 };
  if (text.trim()) query.text = text.trim();
  if (since) query.since = new Date(`${since}T00:00:00`).getTime();
  if (until) query.until = new Date(`${until}T23:59:59.999`).getTime();
  return query;
}

function Results() {
  const t = useT();
  const history = useConsole((s) => s.history);
  const presentation = useConsole((s) => s.prefs.presentation);
  const { select, moreHistory } = useActions();
  if (history.error) return <div className="banner banner-error">{history.error}</div>;
  if (history.searched && history.results.length === 0) return <div className="table-empty">{history.query.text || history.query.since || history.query.until ? t('history.empty') : t('history.none')}</div>;
  return (
    <table className="table history-table">
      <thead>
        <tr>
          <th>{t('history.col.when')}</th>
          <th>{t('history.col.caller')}</th>
          <th>{t('history.col.duration')}</th>
          <th>{t('history.col.outcome')}</th>
          <th>{t('history.col.last')}</th>
        </tr>
      </thead>
      <tbody>
        {history.results.map((call) => (
          <tr key={call.callSid} tabIndex={0} data-callsid={call.callSid} onClick={() => select(call.callSid, true)} onKeyDown={(e) => e.key === 'Enter' && select(call.callSid, true)}>
            <td className="mono">{dateTime(call.startedAt)}</td>
            <td className="mono">
              {displayNumber(call, presentation) || t('calls.unknownCaller')}
              {call.simulated ? <span className="chip chip-sim">{t('calls.simulated')}</span> : null}
            </td>
            <td className="mono">{formatDuration(callDuration(call, call.endedAt ?? call.startedAt))}</td>
            <td>
              {call.interrupted ? <span className="chip chip-warn">{t('calls.interrupted')}</span> : <StateBadge state={call.state} compact />}
              {call.handoff ? <span className="muted"> · {t(`handoff.${call.handoff.status}`)}</span> : call.endReason ? <span className="muted"> · {call.endReason}</span> : null}
            </td>
            <td className="ellipsis" lang="ko">
              {call.lastTranscript ?? ''}
            </td>
          </tr>
        ))}
      </tbody>
      {history.more ? (
        <tfoot>
          <tr>
            <td colSpan={5}>
              <button type="button" className="btn btn-ghost" disabled={history.loading} onClick={() => void moreHistory()}>
                {t('history.more')}
              </button>
            </td>
          </tr>
        </tfoot>
      ) : null}
    </table>
  );
}

export function HistoryView() {
  const t = useT();
  const selected = useConsole((s) => (s.selected?.origin === 'history' ? s.selected.callSid : null));
  // recordings: the player of a streamed call, above its read-only view
  const recorded = useConsole((s) => (s.selected?.origin === 'history' && !s.selected.loading ? selectedCallOf(s) : undefined));
  const recordedEvents = useConsole((s) => s.selected?.events);
  const loading = useConsole((s) => s.history.loading);
  const { searchHistory, close, exportCall } = useActions();
  const [text, setText] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const first = useRef(true);

  useEffect(() => {
    const delay = first.current ? 0 : 250;
    first.current = false;
    const timer = setTimeout(() => void searchHistory(historyQuery(text, since, until)), delay);
    return () => clearTimeout(timer);
  }, [text, since, until, searchHistory]);

  if (selected) {
    return (
      <div className="history-call">
        <div className="history-bar">
          <button type="button" className="btn btn-ghost" onClick={close}>
            <ArrowLeftIcon size={14} />
            {t('history.back')}
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => void exportCall(selected)}>
            <DownloadIcon size={14} />
            {t('history.export')}
          </button>
        </div>
        {recorded && recordedEvents && (recorded.mode === 'stream' || recorded.streamSid) ? <RecordingPlayer key={recorded.callSid} call={recorded} events={recordedEvents} /> : null}
        <CallView />
      </div>
    );
  }
  return (
    <div className="page history">
      <div className="page-head">
        <h2>{t('history.title')}</h2>
        {loading ? <span className="spinner" aria-label="loading" /> : null}
      </div>
      <form className="search" role="search" onSubmit={(e) => e.preventDefault()}>
        <label className="search-text">
          <SearchIcon size={14} />
          <input type="search" placeholder={t('history.search')} aria-label={t('history.search')} value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <label>
          <span>{t('history.since')}</span>
          <input type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <label>
          <span>{t('history.until')}</span>
          <input type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
        </label>
      </form>
      <Results />
    </div>
  );
}
