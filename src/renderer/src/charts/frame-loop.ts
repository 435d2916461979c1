// requestAnimationFrame helpers: charts draw from the audio buffers on frames, never per event.
import { useEffect, useRef, useState } from 'react';
import type { AudioBuffers } from '../store/audio-buffers';

/** Run fn on every animation frame while mounted (stops on unmount). */
export function useFrameLoop(fn: (time: number) => void): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    let handle = 0;
    const loop = (time: number) => {
      ref.current(time);
      handle = requestAnimationFrame(loop);
    };
    handle = requestAnimationFrame(loop);
    return () => cancelAnimationFrame(handle);
  }, []);
}

/** The call's buffer version, re-rendering the caller at most `hz` times a second when it changes. */
export function useAudioVersion(buffers: AudioBuffers, callSid: string, hz = 4): number {
  const [version, setVersion] = useState(() => buffers.version(callSid));
  const last = useRef(0);
  useFrameLoop((time) => {
    if (time - last.current < 1000 / hz) return;
    const v = buffers.version(callSid);
    if (v !== version) {
      last.current = time;
      setVersion(v);
    }
  });
  return version;
}

/** An element's CSS size, tracked with a ResizeObserver; use the returned callback as its ref. */
export function useElementSize<T extends HTMLElement>(): [(el: T | null) => void, { width: number; height: number }, T | null] {
  const [el, setEl] = useState<T | null>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      const box = entries[0]?.contentRect;
      if (!box) return;
      const width = Math.round(box.width);
      const height = Math.round(box.height);
      setSize((s) => (s.width === width && s.height === height ? s : { width, height }));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [el]);
  return [setEl, size, el];
}

/** Theme colours for canvas drawing, read from CSS variables. */
export function cssColors(el: Element, names: readonly string[]): Record<string, string> {
  const style = getComputedStyle(el);
  const out: Record<string, string> = {};
  for (const n of names) out[n] = style.getPropertyValue(`--${n}`).trim() || '#888';
  return out;
}
