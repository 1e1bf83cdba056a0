// Setting a channel's auto-close rules (admin): one rule per kind, bounded durations, switchable.
import type { Kysely } from 'kysely';
import { checkAutoCloseDuration, AUTO_CLOSE_KINDS, type AutoCloseKind } from '../../domain/auto-close.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { AutoCloseRuleRow, ChannelRow, Database } from '../../db/schema.js';
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
  checkRuleSetting(setting);
  return deps.store.unit(async (trx) => {
    const channel = await channelOfWorkspace(trx, workspaceId, setting.channelId);
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

export interface RuleChanges {
  durationMinutes?: number;
  enabled?: boolean;
}

/** Adds the rule of a kind to a channel; a channel that already has one keeps it and is refused. */
export async function createAutoCloseRule(deps: Pick<Deps, 'store' | 'clock'>, workspaceId: string, setting: RuleSetting): Promise<AutoCloseRuleRow> {
  checkRuleSetting(setting);
  try {
    return await deps.store.unit(async (trx) => {
      const channel = await channelOfWorkspace(trx, workspaceId, setting.channelId);
      const existing = await trx.selectFrom('auto_close_rules').select('id').where('channel_id', '=', channel.id).where('kind', '=', setting.kind).executeTakeFirst();
      if (existing) throw ruleExists(setting.kind, existing.id);
      const now = deps.clock.now();
      return trx
        .insertInto('auto_close_rules')
        .values({ id: newId(), workspace_id: workspaceId, channel_id: channel.id, kind: setting.kind, duration_minutes: setting.durationMinutes, enabled: setting.enabled ? 1 : 0, created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  } catch (error) {
    // Two admins adding the same rule at once: the unique (channel, kind) index refuses the second.
    if (isUniqueViolation(error)) throw ruleExists(setting.kind, null);
    throw error;
  }
}

/** Changes the duration or the switch of one rule of the workspace. */
export async function changeAutoCloseRule(deps: Pick<Deps, 'store' | 'clock'>, workspaceId: string, ruleId: string, changes: RuleChanges): Promise<AutoCloseRuleRow> {
  if (changes.durationMinutes !== undefined) checkAutoCloseDuration(changes.durationMinutes);
  const updated = await deps.store.unit((trx) =>
    trx
      .updateTable('auto_close_rules')
      .set({
        ...(changes.durationMinutes === undefined ? {} : { duration_minutes: changes.durationMinutes }),
        ...(changes.enabled === undefined ? {} : { enabled: changes.enabled ? 1 : 0 }),
        updated_at: deps.clock.now(),
      })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', ruleId)
      .returningAll()
      .executeTakeFirst(),
  );
  if (!updated) throw notFound('The auto-close rule');
  return updated;
}

function checkRuleSetting(setting: RuleSetting): void {
  if (!AUTO_CLOSE_KINDS.includes(setting.kind)) {
    throw new DomainError({ code: 'VALIDATION_FAILED', message: `An auto-close rule is one of ${AUTO_CLOSE_KINDS.join(', ')}.`, details: { field: 'kind' } });
  }
  checkAutoCloseDuration(setting.durationMinutes);
}

/** The channel, if it belongs to the workspace; another workspace's channel is not found. */
async function channelOfWorkspace(trx: Kysely<Database>, workspaceId: string, channelId: string): Promise<ChannelRow> {
  const channel = await findChannel(trx, channelId);
  if (!channel || channel.workspace_id !== workspaceId) throw notFound('The channel');
  return channel;
}

function ruleExists(kind: AutoCloseKind, ruleId: string | null): DomainError {
  return new DomainError({
    code: 'AUTO_CLOSE_RULE_EXISTS',
    message: `This channel already has a ${kind.replace('_', ' ')} rule; change that rule instead of adding another.`,
    details: ruleId === null ? { kind } : { kind, ruleId },
  });
}
