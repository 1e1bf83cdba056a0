// A run that failed because the store went away gives back the leases it still holds as soon as the
// store answers again: its items are due at once, not when their leases end (a minute after a database
// restart, for every item of every batch that was running). Any other failure keeps the leases, so an
// item that breaks its run is not taken up again straight away.
import type { Kysely } from 'kysely';
import { isStoreUnavailable } from '../../db/errors.js';
import { retryWhileUnavailable } from '../../db/retry-while-unavailable.js';
import type { Database } from '../../db/schema.js';
import type { Store } from '../../db/store.js';

// Past this the leases are left to run out: the store is away for longer than a restart takes.
const GIVE_BACK_WITHIN_MS = 30_000;

/** Releases `items` with `release` when the run's `error` means the store was away; otherwise does nothing. */
export async function giveBackLeases<Item>(store: Pick<Store, 'unit'>, error: unknown, items: Item[], release: (trx: Kysely<Database>, items: Item[]) => Promise<void>): Promise<void> {
  if (items.length === 0 || !isStoreUnavailable(error)) return;
  await retryWhileUnavailable(() => store.unit((trx) => release(trx, items)), GIVE_BACK_WITHIN_MS);
}

/** Items by the lease they were taken with: a lease is given back only while it is still the one taken. */
export function idsByLease(items: { id: string; locked_until: number | null }[]): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const { id, locked_until: lockedUntil } of items) {
    if (lockedUntil === null) continue;
    groups.set(lockedUntil, [...(groups.get(lockedUntil) ?? []), id]);
  }
  return groups;
}
