// Finished outbox work is only kept for looking into recent deliveries; a week is plenty. Deleted in
// batches so a large backlog never holds the write lock for long.
import { DAY } from '../../domain/clock.js';
import type { Deps } from '../deps.js';

export const FINISHED_OUTBOX_RETENTION_MS = 7 * DAY;
const BATCH = 5_000;

/** Deletes outbox rows finished before the retention; returns how many. */
export async function pruneFinishedOutbox(deps: Pick<Deps, 'store'>, now: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const result = await deps.store.unit((trx) =>
      trx
        .deleteFrom('outbox')
        .where('id', 'in', (eb) => eb.selectFrom('outbox').select('id').where('done_at', '<', now - FINISHED_OUTBOX_RETENTION_MS).limit(BATCH))
        .executeTakeFirst(),
    );
    deleted += Number(result.numDeletedRows);
    if (Number(result.numDeletedRows) < BATCH) return deleted;
  }
}
