// A provider's per-account send rate (WhatsApp: 80 messages a second per number by default), held across
// every server process by one row per channel: the next moment it may send. Each send takes that moment
// and moves it one interval on, in a single atomic upsert, so two relays can never take the same slot.
//
// Sends are spaced evenly rather than allowed in bursts, with 10% headroom: a request that is slower on
// the wire than the next one cannot then make the provider count more than the limit in any second.
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { engineOf } from '../../db/dialect/engine.js';
import type { Database } from '../../db/schema.js';
import type { Deps } from '../deps.js';

const HEADROOM = 1.1;
// Clocks read in whole milliseconds; a slot due within one is taken, so 1,000 a second stays reachable.
const TOLERANCE_US = 1_000;
// A slot this close is waited for in place; a later one sends the message back to the queue.
const MAX_INLINE_WAIT_MS = 1_000;
const INLINE_TRIES = 5;

export type SlotDecision = { granted: true } | { granted: false; availableAt: number };

/** Microseconds between two sends at `ratePerSecond`, headroom included. */
export function sendIntervalUs(ratePerSecond: number): number {
  return Math.ceil((HEADROOM * 1_000_000) / ratePerSecond);
}

/** Takes the channel's send slot if it is due at `now` (ms); otherwise says when it will be. */
export async function takeSendSlot(trx: Kysely<Database>, channelId: string, ratePerSecond: number, now: number): Promise<SlotDecision> {
  const nowUs = now * 1_000;
  const interval = sendIntervalUs(ratePerSecond);
  const later = engineOf(trx) === 'postgres' ? sql<number>`greatest` : sql<number>`max`;
  const taken = await trx
    .insertInto('send_rate_slots')
    .values({ channel_id: channelId, next_slot_us: nowUs + interval })
    .onConflict((oc) =>
      oc
        .column('channel_id')
        .doUpdateSet({ next_slot_us: sql<number>`${later}(send_rate_slots.next_slot_us, ${nowUs}) + ${interval}` })
        .where('send_rate_slots.next_slot_us', '<=', nowUs + TOLERANCE_US),
    )
    .returning('next_slot_us')
    .executeTakeFirst();
  if (taken) return { granted: true };
  const row = await trx.selectFrom('send_rate_slots').select('next_slot_us').where('channel_id', '=', channelId).executeTakeFirstOrThrow();
  return { granted: false, availableAt: Math.ceil((row.next_slot_us - TOLERANCE_US) / 1_000) };
}

/**
 * Takes a send slot, waiting in place when the next one is near (the usual case when sending steadily);
 * when it is further away, or others keep taking it, says when to try again.
 */
export async function awaitSendSlot(deps: Pick<Deps, 'store' | 'clock'>, channelId: string, ratePerSecond: number): Promise<SlotDecision> {
  let decision: SlotDecision = { granted: false, availableAt: deps.clock.now() };
  for (let attempt = 0; attempt < INLINE_TRIES; attempt++) {
    decision = await deps.store.unit((trx) => takeSendSlot(trx, channelId, ratePerSecond, deps.clock.now()));
    if (decision.granted) return decision;
    const wait = decision.availableAt - deps.clock.now();
    if (wait > MAX_INLINE_WAIT_MS) return decision;
    await sleep(Math.max(wait, 1));
  }
  return decision;
}
