// Loading data for a component: the latest answer, the failure sentence, and a way to load again.
import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload(): Promise<void>;
  setData(update: (current: T | undefined) => T | undefined): void;
}

interface State<T> {
  key: string;
  data: T | undefined;
  error: string | null;
}

/** Runs `load` now and whenever `key` changes; answers for an older key are dropped. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<State<T> | null>(null);
  const latestLoad = useRef(load);
  const generation = useRef(0);
  useEffect(() => {
    latestLoad.current = load;
  });

  const fetchFor = useCallback(async (forKey: string) => {
    const mine = ++generation.current;
    try {
      const value = await latestLoad.current();
      if (mine === generation.current) setState({ key: forKey, data: value, error: null });
    } catch (failure) {
      if (mine === generation.current) setState((current) => ({ key: forKey, data: current?.key === forKey ? current.data : undefined, error: messageOf(failure) }));
    }
  }, []);

  useEffect(() => {
    void fetchFor(key);
  }, [key, fetchFor]);

  const current = state?.key === key ? state : null;
  return {
    data: current?.data,
    error: current?.error ?? null,
    loading: current === null,
    reload: useCallback(() => fetchFor(key), [fetchFor, key]),
    setData: useCallback((update) => setState((s) => (s && s.key === key ? { ...s, data: update(s.data) } : s)), [key]),
  };
}
