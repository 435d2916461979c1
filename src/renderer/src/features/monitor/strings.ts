// The listen-in and recording player's strings (en, ko), kept beside them; the console's locale picks one.
import type { Locale } from '../../i18n/strings';

const en = {
  'listen.start': 'Listen',
  'listen.stop': 'Stop listening',
  'listen.starting': 'Connecting…',
  'listen.live': 'Listening live',
  'listen.behind': '{ms} ms behind',
  'listen.stopped.call ended': 'Call ended — stopped listening',
  'listen.stopped.operator': 'Stopped',
  'listen.stopped.host stopped': 'The host stopped',
  'listen.noAudio': 'This browser cannot play audio',
  'listen.caller': 'Caller',
  'listen.bot': 'Bot',
  'listen.volume': '{leg} volume',
  'listen.level': '{leg} level',
  'player.title': 'Recording',
  'player.play': 'Play',
  'player.pause': 'Pause',
  'player.loading': 'Loading the recording…',
  'player.none': 'No recording for this call (only streamed calls are recorded).',
  'player.partial': 'Recorded until the host stopped',
  'player.caller': 'Caller',
  'player.bot': 'Bot / operator',
  'player.export.mulaw': 'WAV (μ-law)',
  'player.export.pcm16': 'WAV (PCM16)',
  'player.exported': 'Exported {file}',
  'player.legend.turn': 'caller turn',
  'player.legend.reply': 'bot reply',
  'player.legend.operator': 'operator',
  'player.legend.bargein': 'barge-in',
  'player.legend.mark': 'mark',
  'player.seek': 'Seek in the recording',
} as const;

export type MonitorKey = keyof typeof en;

const ko: Record<MonitorKey, string> = {
  'listen.start': '청취',
  'listen.stop': '청취 중지',
  'listen.starting': '연결 중…',
  'listen.live': '실시간 청취 중',
  'listen.behind': '{ms} ms 지연',
  'listen.stopped.call ended': '통화 종료 — 청취를 멈췄습니다',
  'listen.stopped.operator': '중지됨',
  'listen.stopped.host stopped': '호스트가 중지되었습니다',
  'listen.noAudio': '이 브라우저는 오디오를 재생할 수 없습니다',
  'listen.caller': '발신자',
  'listen.bot': '봇',
  'listen.volume': '{leg} 음량',
  'listen.level': '{leg} 레벨',
  'player.title': '녹음',
  'player.play': '재생',
  'player.pause': '일시정지',
  'player.loading': '녹음을 불러오는 중…',
  'player.none': '이 통화의 녹음이 없습니다 (스트리밍 통화만 녹음됩니다).',
  'player.partial': '호스트가 중지될 때까지 녹음됨',
  'player.caller': '발신자',
  'player.bot': '봇 / 상담원',
  'player.export.mulaw': 'WAV (μ-law)',
  'player.export.pcm16': 'WAV (PCM16)',
  'player.exported': '{file} 내보냄',
  'player.legend.turn': '발신자 발화',
  'player.legend.reply': '봇 응답',
  'player.legend.operator': '상담원',
  'player.legend.bargein': '끼어들기',
  'player.legend.mark': '마크',
  'player.seek': '녹음 탐색',
};

export function monitorText(locale: Locale, key: MonitorKey, vars: Record<string, string | number> = {}): string {
  const text: string = (locale === 'ko' ? ko : en)[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

/** Host reasons map to a key when there is one; unknown ones are shown as they are. */
export const isMonitorKey = (key: string): key is MonitorKey => Object.hasOwn(en, key);
