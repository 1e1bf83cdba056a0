// Reading the workspace's auto-close rules for the admin screens and the API.
import type { Kysely } from 'kysely';
import type { AutoCloseKind } from '../../domain/auto-close.js';
import { notFound } from '../../domain/errors.js';
import type { AutoCloseRuleRow, Database } from '../../db/schema.js';
import { findChannel } from '../channels/channel.repo.js';

export interface AutoCloseRuleView {
  id: string;
  channelId: string;
  kind: AutoCloseKind;
  durationMinutes: number;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export function autoCloseRuleView(row: AutoCloseRuleRow): AutoCloseRuleView {
  return {
    id: row.id,
    channelId: row.channel_id,
    kind: row.kind,
    durationMinutes: row.duration_minutes,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The workspace's rules, or one channel's; a channel of another workspace is not found rather than empty. */
export async function listAutoCloseRules(db: Kysely<Database>, workspaceId: string, channelId?: string): Promise<AutoCloseRuleView[]> {
  if (channelId !== undefined) {
    const channel = await findChannel(db, channelId);
    if (!channel || channel.workspace_id !== workspaceId) throw notFound('The channel');
  }
  const rows = await db
    .selectFrom('auto_close_rules')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .$if(channelId !== undefined, (qb) => qb.where('channel_id', '=', channelId!))
    .orderBy('channel_id')
    .orderBy('kind')
    .execute();
  return rows.map(autoCloseRuleView);
}
