// Which alerts are new on a call update (pure), and raising them as desktop notifications (edge).
import type { Alert, Call } from '../../../../shared/model';

/** Alerts present on next that were not on prev (same kind and time = same alert). */
export function newAlerts(prev: Call | undefined, next: Call): Alert[] {
  if (next.state === 'ended') return [];
  const seen = new Set((prev?.alerts ?? []).map((a) => `${a.kind}@${a.at}`));
  return next.alerts.filter((a) => !seen.has(`${a.kind}@${a.at}`));
}

export type NotifyPermission = 'granted' | 'denied' | 'default' | 'unsupported';

export interface NotificationsPort {
  permission(): NotifyPermission;
  request(): Promise<NotifyPermission>;
  show(title: string, body: string, tag: string, onClick: () => void): void;
}

/** The Web Notifications API (the Electron shell maps it to native notifications). */
export function browserNotifications(): NotificationsPort {
  const N = typeof window !== 'undefined' && 'Notification' in window ? window.Notification : undefined;
  return {
    permission: () => (N ? (N.permission as NotifyPermission) : 'unsupported'),
    request: async () => (N ? ((await N.requestPermission()) as NotifyPermission) : 'unsupported'),
    show(title, body, tag, onClick) {
      if (!N || N.permission !== 'granted') return;
      try {
        const n = new N(title, { body, tag });
        n.onclick = () => {
          window.focus();
          onClick();
          n.close();
        };
      } catch {
        // some environments forbid constructing notifications; the flagged row is still there
      }
    },
  };
}
