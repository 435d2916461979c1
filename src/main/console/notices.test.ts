// The notice hub: stamped, bounded, broadcast; repeats of one kind within the throttle window are counted, not repeated.
import { describe, expect, it } from 'vitest';
import { createNoticeHub } from './notices';

describe('notice hub', () => {
  it('stamps, keeps the most recent and tells its listeners', () => {
    let t = 100;
    const hub = createNoticeHub({ now: () => t, max: 2, throttleMs: 0 });
    const heard: string[] = [];
    const off = hub.onNotice((n) => heard.push(n.message));
    for (const m of ['a', 'b', 'c']) {
      t += 1;
      hub.post({ level: 'warn', source: 'media', message: m });
    }
    expect(hub.recent()).toEqual([
      { id: 'N2', at: 102, level: 'warn', source: 'media', message: 'b' },
      { id: 'N3', at: 103, level: 'warn', source: 'media', message: 'c' },
    ]);
    off();
    hub.post({ level: 'info', source: 'host', message: 'd' });
    expect(heard).toEqual(['a', 'b', 'c']);
  });

  it('holds back repeats of one key within the window and counts them in the next', () => {
    let t = 0;
    const hub = createNoticeHub({ now: () => t, throttleMs: 1000 });
    const post = () => hub.post({ level: 'warn', source: 'security', message: 'refused' }, 'k');
    expect(post()).not.toBeNull();
    t = 500;
    expect(post()).toBeNull();
    expect(post()).toBeNull();
    expect(hub.post({ level: 'warn', source: 'security', message: 'other' }, 'k2')).not.toBeNull();
    t = 1500;
    expect(post()?.message).toBe('refused (and 2 more like it)');
    expect(hub.recent().map((n) => n.message)).toEqual(['refused', 'other', 'refused (and 2 more like it)']);
  });
});
