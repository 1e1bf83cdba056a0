// Auto-close rules, one per (channel, kind).
import type { Kysely } from 'kysely';
import type { AutoCloseRule, AutoCloseKind } from '../../domain/auto-close.js';
import type { AutoCloseRuleRow, Database } from '../../db/schema.js';

export function toRule(row: AutoCloseRuleRow): AutoCloseRule {
  return { id: row.id, channelId: row.channel_id, kind: row.kind as AutoCloseKind, durationMinutes: row.duration_minutes, enabled: row.enabled === 1 };
}

/** Every switched-on rule of every workspace: the sweep runs for all of them. */
export async function listEnabledRules(db: Kysely<Database>): Promise<AutoCloseRuleRow[]> {
  return db.selectFrom('auto_close_rules').selectAll().where('enabled', '=', 1).orderBy('id').execute();
}
