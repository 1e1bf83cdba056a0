// The message templates of a channel, as the picker shows them: approved ones usable, each with the
// parameters it takes. Templates are synced from the provider; this only reads the synced copy.
import { channelRules } from '../../channels/registry.js';
import type { TemplateShape } from '../../channels/types.js';
import { DomainError } from '../../domain/errors.js';
import { fromJson } from '../../lib/json.js';
import type { Deps } from '../deps.js';
import { getChannel } from './channel-admin.js';

export interface TemplateView extends TemplateShape {
  id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  /** Only templates the provider approved can be sent. */
  usable: boolean;
  updatedAt: number;
}

const APPROVED = 'APPROVED';

export async function listTemplates(deps: Pick<Deps, 'store'>, workspaceId: string, channelId: string, options: { usableOnly?: boolean } = {}): Promise<TemplateView[]> {
  const channel = await getChannel(deps, workspaceId, channelId);
  const support = channelRules(channel.kind).templates;
  if ('refusal' in support) throw new DomainError(support.refusal);
  const rows = await deps.store.db
    .selectFrom('templates')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('channel_id', '=', channel.id)
    .$if(options.usableOnly === true, (qb) => qb.where('status', '=', APPROVED))
    .orderBy('name')
    .orderBy('language')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    language: row.language,
    category: row.category,
    status: row.status,
    usable: row.status === APPROVED,
    updatedAt: row.updated_at,
    ...support.describe(fromJson(row.components)),
  }));
}
