// Setting a channel's auto-close rules (admin): one rule per kind, bounded durations, switchable.
import { checkAutoCloseDuration, AUTO_CLOSE_KINDS, type AutoCloseKind } from '../../domain/auto-close.js';
import type { AutoCloseRuleRow } from '../../db/schema.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { newId } from '../../lib/ids.js';
import { findChannel } from '../channels/channel.repo.js';
import type { Deps } from '../deps.js';

export interface RuleSetting {
  channelId: string;
  kind: AutoCloseKind;
  durationMinutes: number;
  enabled: boolean;
}

/** Creates or replaces the rule of a kind on a channel of the workspace. */
export async function putAutoCloseRule(deps: Pick<Deps, 'store' | 'clock'>, workspaceId: string, setting: RuleSetting): Promise<AutoCloseRuleRow> {
  if (!AUTO_CLOSE_KINDS.includes(setting.kind)) {
    throw new DomainError({ code: 'VALIDATION_FAILED', message: `An auto-close rule is one of ${AUTO_CLOSE_KINDS.join(', ')}.`, details: { field: 'kind' } });
  }
  checkAutoCloseDuration(setting.durationMinutes);
  return deps.store.unit(async (trx) => {
    const channel = await findChannel(trx, setting.channelId);
    if (!channel || channel.workspace_id !== workspaceId) throw notFound('The channel');
    const now = deps.clock.now();
    return trx
      .insertInto('auto_close_rules')
      .values({
        id: newId(),
        workspace_id: workspaceId,
        channel_id: channel.id,
        kind: setting.kind,
        duration_minutes: setting.durationMinutes,
        enabled: setting.enabled ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['channel_id', 'kind']).doUpdateSet({ duration_minutes: setting.durationMinutes, enabled: setting.enabled ? 1 : 0, updated_at: now }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export async function deleteAutoCloseRule(deps: Pick<Deps, 'store'>, workspaceId: string, ruleId: string): Promise<void> {
  const result = await deps.store.db.deleteFrom('auto_close_rules').where('workspace_id', '=', workspaceId).where('id', '=', ruleId).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound('The auto-close rule');
}
