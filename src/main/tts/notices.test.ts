import { describe, expect, it } from 'vitest';
import { FakeTimers } from '../../../test/helpers/fake-timers';
import { NOTICE_TRUST_MS, NoticeBoard, NoticeBody, NoticeBox } from './notices';

describe('NoticeBody', () => {
  it.each([
    [{ part: 0 }, true],
    [{ part: 7, job_id: 'job-1' }, true],
    [{ done: true }, true],
    [{ part: 3, done: true }, true],
    [{}, false],
    [{ done: false }, false],
    [{ part: -1 }, false],
    [{ part: 1.5 }, false],
    [{ part: '2' }, false],
    [{ job_id: 'x'.repeat(201), part: 1 }, false],
  ])('%j is a notice: %s', (body, ok) => expect(NoticeBody.safeParse(body).success).toBe(ok));
});

describe('NoticeBox', () => {
  it('keeps the highest part announced and done once said; take() clears only the pending flag', () => {
    const box = new NoticeBox();
    expect(box.pending()).toBe(false);
    box.post({ part: 2 });
    box.post({ part: 1 }); // out of order: the highest stays
    expect(box.pending()).toBe(true);
    expect(box.take()).toEqual({ part: 2, done: false });
    expect(box.pending()).toBe(false);
    box.post({ done: true });
    expect(box.take()).toEqual({ part: 2, done: true });
  });

  it('sleep() ends on its timer, on a notice, or on abort — whichever comes first', async () => {
    const timers = new FakeTimers();
    const box = new NoticeBox();
    const abort = new AbortController();

    const byTimer = box.sleep(100, abort.signal, timers);
    timers.advance(100);
    await expect(byTimer).resolves.toBe('timer');

    const byNotice = box.sleep(100, abort.signal, timers);
    timers.advance(40);
    box.post({ part: 0 });
    await expect(byNotice).resolves.toBe('notice');
    expect(timers.size).toBe(0); // its timer was cleared

    box.take();
    const byAbort = box.sleep(100, abort.signal, timers);
    abort.abort();
    await expect(byAbort).resolves.toBe('aborted');
    expect(timers.size).toBe(0);
  });

  it('a notice that came before the sleep wakes it at once', async () => {
    const box = new NoticeBox();
    box.post({ part: 4 });
    await expect(box.sleep(60_000, new AbortController().signal, new FakeTimers())).resolves.toBe('notice');
  });
});

describe('NoticeBoard', () => {
  it('delivers by token, refuses unknown and released tokens, and trusts the service for a while after a notice', () => {
    let t = 1_000_000;
    const board = new NoticeBoard(() => t);
    const a = board.open();
    const b = board.open();
    expect(a.token).not.toBe(b.token);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(board.trusted()).toBe(false);
    expect(board.deliver('nobody', { part: 0 })).toBe(false);
    expect(board.trusted()).toBe(false); // a guess earns no trust
    expect(board.deliver(a.token, { part: 0 })).toBe(true);
    expect(a.box.take().part).toBe(0);
    expect(b.box.pending()).toBe(false);
    expect(board.trusted()).toBe(true);
    t += NOTICE_TRUST_MS + 1;
    expect(board.trusted()).toBe(false);
    board.release(a.token);
    expect(board.deliver(a.token, { part: 1 })).toBe(false);
    expect(board.size).toBe(1);
  });
});
