// The realtime list only has to cover reconnecting clients; a day of history is plenty.
import { DAY } from '../../domain/clock.js';
import type { Deps } from '../deps.js';

export const REALTIME_RETENTION_MS = DAY;

/** Deletes realtime events older than the retention; returns how many. */
export async function pruneRealtimeEvents(deps: Pick<Deps, 'store'>, now: number): Promise<number> {
  const result = await deps.store.db.deleteFrom('realtime_events').where('created_at', '<', now - REALTIME_RETENTION_MS).executeTakeFirst();
  return Number(result.numDeletedRows);
}
