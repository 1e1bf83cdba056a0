// runAutoClose: the sweep that applies every channel's auto-close rules at a given instant.
import type { Kysely } from 'kysely';
import { AUTO_CLOSABLE_STATUSES, autoCloseCutoff, isAutoClosable, type AutoCloseRule } from '../../domain/auto-close.js';
import type { Database, TicketRow } from '../../db/schema.js';
import { appendTimeline, publishRealtime } from '../../events/event.repo.js';
import type { Deps } from '../deps.js';
import { listEnabledRules, toRule } from './auto-close-rule.repo.js';

const BATCH_SIZE = 200;

/** The column that says when the quiet side's awaited answer was due from. */
function quietSince(rule: AutoCloseRule) {
  return rule.kind === 'customer_inactivity'
    ? ({ direction: 'outbound', column: 'last_outbound_at' } as const)
    : ({ direction: 'inbound', column: 'last_inbound_at' } as const);
}

/**
 * Closes every ticket an enabled rule selects at `now`, in bounded batches, recording the rule and the
 * system as the closer. The closing update re-checks the rule's condition on the row itself, so a
 * customer message committed in between keeps its ticket open.
 */
export async function runAutoClose(deps: Pick<Deps, 'store'>, now: number): Promise<number> {
  let closed = 0;
  for (const row of await listEnabledRules(deps.store.db)) {
    const rule = toRule(row);
    for (;;) {
      const batch = await deps.store.unit((trx) => closeBatch(trx, rule, now));
      closed += batch.closed;
      if (batch.candidates < BATCH_SIZE || batch.closed === 0) break;
    }
  }
  return closed;
}

async function closeBatch(trx: Kysely<Database>, rule: AutoCloseRule, now: number): Promise<{ candidates: number; closed: number }> {
  const { direction, column } = quietSince(rule);
  const cutoff = autoCloseCutoff(rule, now);
  const candidates = await trx
    .selectFrom('tickets')
    .selectAll()
    .where('channel_id', '=', rule.channelId)
    .where('status', 'in', AUTO_CLOSABLE_STATUSES)
    .where('last_message_direction', '=', direction)
    .where(column, '<=', cutoff)
    .orderBy(column)
    .limit(BATCH_SIZE)
    .execute();
  const ids = candidates.filter((t) => isAutoClosable(activityOf(t), rule, now)).map((t) => t.id);
  if (ids.length === 0) return { candidates: candidates.length, closed: 0 };
  const closed = await trx
    .updateTable('tickets')
    .set({ status: 'closed', snoozed_until: null, closed_at: now, closed_by_rule_id: rule.id, closed_by_user_id: null, close_reason: rule.kind, updated_at: now })
    .where('id', 'in', ids)
    .where('status', 'in', AUTO_CLOSABLE_STATUSES)
    .where('last_message_direction', '=', direction)
    .where(column, '<=', cutoff)
    .returning(['id', 'workspace_id', 'number', 'status'])
    .execute();
  const fromStatus = new Map(candidates.map((t) => [t.id, t.status]));
  for (const ticket of closed) {
    await appendTimeline(
      trx,
      ticket,
      { kind: 'system', ruleId: rule.id },
      [{ type: 'ticket.closed', data: { from: fromStatus.get(ticket.id) ?? 'open', reason: rule.kind, ruleId: rule.id, ruleKind: rule.kind } }],
      now,
    );
    await publishRealtime(trx, ticket.workspace_id, [{ type: 'ticket.updated', payload: { ticketId: ticket.id, number: ticket.number } }], now);
  }
  return { candidates: candidates.length, closed: closed.length };
}

function activityOf(ticket: TicketRow) {
  return {
    channelId: ticket.channel_id,
    status: ticket.status,
    lastMessageDirection: ticket.last_message_direction,
    lastInboundAt: ticket.last_inbound_at,
    lastOutboundAt: ticket.last_outbound_at,
  };
}
