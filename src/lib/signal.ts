// A process-wide signal for whoever watches what the engine does (metrics, a dashboard): the composition
// root subscribes once, and the code that reports needs to know nothing about it. A watcher that throws
// never stops the reporter: what it reports has happened already.

export interface Signal<T> {
  /** Tells `listener` about every report from now on; returns how to stop. */
  watch(listener: (value: T) => void): () => void;
  report(value: T): void;
}

/** A signal whose failing watchers are reported as process warnings named `warningName`. */
export function createSignal<T>(warningName: string): Signal<T> {
  const listeners = new Set<(value: T) => void>();
  return {
    watch(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    report(value) {
      for (const listener of listeners) {
        try {
          listener(value);
        } catch (error) {
          process.emitWarning(error instanceof Error ? error : String(error), warningName);
        }
      }
    },
  };
}
