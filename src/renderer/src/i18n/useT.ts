// The translate function for the current UI language.
import { useCallback } from 'react';
import { useConsole } from '../store/context';
import { translate, type StringKey } from './strings';

export type T = (key: StringKey, vars?: Record<string, string | number>) => string;

export function useT(): T {
  const locale = useConsole((s) => s.prefs.locale);
  return useCallback((key, vars) => translate(locale, key, vars), [locale]);
}
