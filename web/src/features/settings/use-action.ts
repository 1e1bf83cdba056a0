// Runs a settings change, keeping its failure sentence for the form that asked.
import { useState } from 'react';
import { messageOf } from '../../lib/api.js';

export function useAction(): { error: string | null; busy: boolean; run(action: () => Promise<unknown>): Promise<boolean> } {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return {
    error,
    busy,
    async run(action) {
      setBusy(true);
      setError(null);
      try {
        await action();
        return true;
      } catch (failure) {
        setError(messageOf(failure));
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}
