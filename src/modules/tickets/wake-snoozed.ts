// wakeSnoozed: snoozed tickets whose wake time has come return to open.
import type { Deps } from '../deps.js';
import { appendTimeline, publishRealtime } from '../../events/event.repo.js';

const BATCH_SIZE = 200;

/** Wakes every snoozed ticket due at `now`, in bounded batches; returns how many woke. */
export async function wakeSnoozedTickets(deps: Pick<Deps, 'store'>, now: number): Promise<number> {
  let woken = 0;
  for (;;) {
    const batch = await deps.store.unit(async (trx) => {
      const due = await trx.selectFrom('tickets').select('id').where('status', '=', 'snoozed').where('snoozed_until', '<=', now).limit(BATCH_SIZE).execute();
      if (due.length === 0) return 0;
      const rows = await trx
        .updateTable('tickets')
        .set({ status: 'open', snoozed_until: null, updated_at: now })
        .where('id', 'in', due.map((d) => d.id))
        .where('status', '=', 'snoozed')
        .where('snoozed_until', '<=', now)
        .returning(['id', 'workspace_id', 'number', 'snoozed_until'])
        .execute();
      for (const ticket of rows) {
        await appendTimeline(trx, ticket, { kind: 'system' }, [{ type: 'status.changed', data: { from: 'snoozed', to: 'open', reason: 'snooze_ended' } }], now);
        await publishRealtime(trx, ticket.workspace_id, [{ type: 'ticket.updated', payload: { ticketId: ticket.id, number: ticket.number } }], now);
      }
      return rows.length;
    });
    woken += batch;
    if (batch < BATCH_SIZE) return woken;
  }
}
