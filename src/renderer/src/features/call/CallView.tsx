// The selected call: header, conversation, audio charts and the events log. Live calls update as
// events arrive; history calls open here read-only.
import { memo, useMemo } from 'react';
import { useT } from '../../i18n/useT';
import { useConsole } from '../../store/context';
import { selectedCallOf } from '../../store/live';
import { ListenControl } from '../monitor/ListenControl';
import { AudioPanel } from './AudioPanel';
import { CallHeader } from './CallHeader';
import { Conversation } from './Conversation';
import { EventsLog } from './EventsLog';
import { botMutedOf } from './timeline';
import { SayComposer } from './SayComposer';

export const CallView = memo(function CallView() {
  const t = useT();
  const selected = useConsole((s) => s.selected);
  const call = useConsole((s) => selectedCallOf(s));
  const events = selected?.events;
  const muted = useMemo(() => (events ? botMutedOf(events) : false), [events]);
  if (!selected) return null;
  if (!call) {
    return <div className="call-loading">{selected.loading ? t('call.loading') : t('call.notFound')}</div>;
  }
  return (
    <div className="call-view" data-callsid={call.callSid} data-readonly={selected.readOnly || undefined}>
      <CallHeader call={call} readOnly={selected.readOnly} muted={muted} />
      {selected.error && selected.error !== 'not-found' ? <div className="banner banner-error">{selected.error}</div> : null}
      {/* listen: the Listen control of a live streamed call */}
      {!selected.readOnly && call.mode === 'stream' ? <ListenControl call={call} /> : null}
      <div className={`call-body mode-${call.mode === 'gather' && !call.streamSid ? 'gather' : 'stream'}`}>
        <div className="conv-col">
          <Conversation key={`c-${call.callSid}`} events={selected.events} />
          {!selected.readOnly && call.state !== 'ended' && call.state !== 'handing_off' && call.state !== 'with_agent' ? <SayComposer call={call} /> : null}
        </div>
        <AudioPanel key={`a-${call.callSid}`} call={call} />
      </div>
      <EventsLog events={selected.events} />
    </div>
  );
});
