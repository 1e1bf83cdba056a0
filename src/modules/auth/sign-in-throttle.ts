// Failed sign-ins, counted in the store so that every server process applies one limit together. An
// attempt is counted before the password is checked (so a burst of parallel guesses is counted too) and
// given back when it succeeds. The rule itself: src/domain/sign-in-throttle.ts.
import type { Kysely } from 'kysely';
import { engineOf } from '../../db/dialect/engine.js';
import type { Database } from '../../db/schema.js';
import type { Store } from '../../db/store.js';
import { ACCOUNT_AT_ADDRESS, ADDRESS, failuresBefore, waitAfterFailures, type ThrottleRule } from '../../domain/sign-in-throttle.js';
import { hashSecret } from './secrets.js';

interface Counted {
  key: string;
  rule: ThrottleRule;
}

export type Attempt = { allowed: true; counted: Counted[] } | { allowed: false; retryAt: number };

/** The keys one attempt is counted under: the account at this address, and the address. */
function keysOf(email: string, address: string): Counted[] {
  return [
    { key: hashSecret(`account-at-address:${email}\n${address}`), rule: ACCOUNT_AT_ADDRESS },
    { key: hashSecret(`address:${address}`), rule: ADDRESS },
  ];
}

/** Counts a sign-in attempt as failed, unless a key still waits: then it is refused and nothing changes. */
export function takeSignInAttempt(store: Store, email: string, address: string, now: number): Promise<Attempt> {
  const counted = keysOf(email, address);
  return store.unit(async (trx) => {
    const rows = await lockedRows(trx, counted.map((c) => c.key));
    const retryAt = Math.max(0, ...rows.map((r) => r.retry_at));
    if (retryAt > now) return { allowed: false, retryAt };
    for (const { key, rule } of counted) {
      const row = rows.find((r) => r.key === key) ?? { failures: 0, retry_at: 0 };
      const failures = failuresBefore({ failures: row.failures, retryAt: row.retry_at }, now, rule) + 1;
      await trx.updateTable('sign_in_throttle').set({ failures, retry_at: now + waitAfterFailures(failures, rule) }).where('key', '=', key).execute();
    }
    return { allowed: true, counted };
  });
}

/** A successful attempt is not a failure: its count is given back (the account at this address starts afresh). */
export function giveBackSignInAttempt(store: Store, counted: Counted[], now: number): Promise<void> {
  return store.unit(async (trx) => {
    const [pair, address] = counted;
    await trx.deleteFrom('sign_in_throttle').where('key', '=', pair!.key).execute();
    const row = await trx.selectFrom('sign_in_throttle').select('failures').where('key', '=', address!.key).executeTakeFirst();
    if (!row) return;
    const failures = Math.max(0, row.failures - 1);
    await trx.updateTable('sign_in_throttle').set({ failures, retry_at: now + waitAfterFailures(failures, address!.rule) }).where('key', '=', address!.key).execute();
  });
}

/** Deletes counts that are forgotten anyway; the hourly job keeps the table small. */
export async function pruneSignInThrottle(db: Kysely<Database>, now: number): Promise<number> {
  const forgetAfterMs = Math.max(ACCOUNT_AT_ADDRESS.forgetAfterMs, ADDRESS.forgetAfterMs);
  const result = await db.deleteFrom('sign_in_throttle').where('retry_at', '<', now - forgetAfterMs).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The rows of these keys, created when missing and locked for this transaction on PostgreSQL. */
async function lockedRows(trx: Kysely<Database>, keys: string[]) {
  await trx
    .insertInto('sign_in_throttle')
    .values([...keys].sort().map((key) => ({ key, failures: 0, retry_at: 0 })))
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return trx
    .selectFrom('sign_in_throttle')
    .selectAll()
    .where('key', 'in', keys)
    .orderBy('key')
    .$if(engineOf(trx) === 'postgres', (qb) => qb.forUpdate())
    .execute();
}
