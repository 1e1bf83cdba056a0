// Syncing a channel's message templates from its provider: every listed template is stored or updated
// (one row per name and language), and one no longer listed is kept as DELETED so messages that used it
// still read it, but it can no longer be sent. On demand by an admin, and by a job for stale channels.
import type { Kysely } from 'kysely';
import { channelRules, templateSourceFor } from '../../channels/registry.js';
import type { ProviderTemplate } from '../../channels/types.js';
import type { ChannelRow, Database } from '../../db/schema.js';
import { HOUR } from '../../domain/clock.js';
import { DomainError } from '../../domain/errors.js';
import { CHANNEL_KINDS } from '../../domain/reply-policy.js';
import { newId } from '../../lib/ids.js';
import type { Deps } from '../deps.js';
import { getChannel } from './channel-admin.js';
import { flagChannelForAttention } from './channel-attention.js';
import { channelAccount } from './channel.repo.js';

export const DELETED = 'DELETED';
/** How old a channel's synced templates may get before the periodic job syncs them again. */
export const TEMPLATE_SYNC_INTERVAL_MS = 6 * HOUR;
// Rows per upsert statement: well under SQLite's bound-parameter limit at nine columns a row.
const UPSERT_CHUNK = 100;

export interface TemplateSyncResult {
  /** Templates the provider listed, stored or updated. */
  synced: number;
  /** Templates no longer listed, now marked DELETED. */
  removed: number;
  syncedAt: number;
}

type SyncDeps = Pick<Deps, 'store' | 'clock' | 'allowPrivateOutboundUrls'>;

/** Syncs one channel of the workspace; a channel of another workspace is not found. */
export async function syncTemplates(deps: SyncDeps, workspaceId: string, channelId: string): Promise<TemplateSyncResult> {
  return syncChannelTemplates(deps, await getChannel(deps, workspaceId, channelId));
}

async function syncChannelTemplates(deps: SyncDeps, channel: ChannelRow): Promise<TemplateSyncResult> {
  const support = channelRules(channel.kind).templates;
  const source = templateSourceFor(channel.kind);
  if ('refusal' in support || !source) throw new DomainError('refusal' in support ? support.refusal : { code: 'TEMPLATE_SYNC_FAILED', message: `A ${channel.kind} channel has no templates to sync.` });
  const listing = await source.list(channelAccount(channel, deps));
  const now = deps.clock.now();
  if (!listing.ok) {
    if (listing.reason === 'credentials') await deps.store.unit((trx) => flagChannelForAttention(trx, channel.id, channel.updated_at, listing.message, now));
    throw new DomainError({ code: 'TEMPLATE_SYNC_FAILED', message: listing.message, details: { reason: listing.reason } });
  }
  return deps.store.unit((trx) => storeTemplates(trx, channel, listing.templates, now));
}

async function storeTemplates(trx: Kysely<Database>, channel: ChannelRow, listed: ProviderTemplate[], now: number): Promise<TemplateSyncResult> {
  const keyOf = (t: { name: string; language: string }) => `${t.name}\u0000${t.language}`;
  // One row per name and language; should the provider list one twice, the later entry wins.
  const unique = [...new Map(listed.map((t) => [keyOf(t), t])).values()];
  for (let start = 0; start < unique.length; start += UPSERT_CHUNK) {
    await trx
      .insertInto('templates')
      .values(
        unique.slice(start, start + UPSERT_CHUNK).map((t) => ({
          id: newId(),
          workspace_id: channel.workspace_id,
          channel_id: channel.id,
          name: t.name,
          language: t.language,
          category: t.category,
          status: t.status,
          components: JSON.stringify(t.components),
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['channel_id', 'name', 'language']).doUpdateSet((eb) => ({
          category: eb.ref('excluded.category'),
          status: eb.ref('excluded.status'),
          components: eb.ref('excluded.components'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
  const keys = new Set(unique.map(keyOf));
  const stored = await trx.selectFrom('templates').select(['id', 'name', 'language']).where('channel_id', '=', channel.id).where('status', '!=', DELETED).execute();
  const gone = stored.filter((t) => !keys.has(keyOf(t))).map((t) => t.id);
  for (let start = 0; start < gone.length; start += UPSERT_CHUNK) {
    await trx.updateTable('templates').set({ status: DELETED, updated_at: now }).where('id', 'in', gone.slice(start, start + UPSERT_CHUNK)).execute();
  }
  await trx.updateTable('channels').set({ templates_synced_at: now }).where('id', '=', channel.id).execute();
  return { synced: unique.length, removed: gone.length, syncedAt: now };
}

export interface StaleSyncOptions {
  /** Channels per run. */
  limit?: number;
  /** Told about each channel whose sync failed; it is tried again an interval later. */
  onFailure?: (channelId: string, message: string) => void;
}

/**
 * Syncs every live, switched-on channel not tried within the interval, a few at a time. Safe on every
 * server process at once: each channel is claimed by one of them, and a failing one waits an interval too.
 */
export async function syncStaleTemplates(deps: SyncDeps, options: StaleSyncOptions = {}): Promise<number> {
  const now = deps.clock.now();
  const due = now - TEMPLATE_SYNC_INTERVAL_MS;
  const kinds = CHANNEL_KINDS.filter((kind) => templateSourceFor(kind) !== null);
  const stale = await deps.store.db
    .selectFrom('channels')
    .selectAll()
    .where('kind', 'in', kinds)
    .where('sandbox', '=', 0)
    .where('enabled', '=', 1)
    .where('needs_attention_since', 'is', null)
    .where((eb) => eb.or([eb('templates_sync_attempted_at', 'is', null), eb('templates_sync_attempted_at', '<=', due)]))
    .limit(options.limit ?? 20)
    .execute();
  let tried = 0;
  for (const channel of stale) {
    const claimed = await deps.store.unit((trx) =>
      trx
        .updateTable('channels')
        .set({ templates_sync_attempted_at: now })
        .where('id', '=', channel.id)
        .where((eb) => eb.or([eb('templates_sync_attempted_at', 'is', null), eb('templates_sync_attempted_at', '<=', due)]))
        .executeTakeFirst(),
    );
    if (Number(claimed.numUpdatedRows) === 0) continue;
    tried += 1;
    try {
      await syncChannelTemplates(deps, channel);
    } catch (error) {
      options.onFailure?.(channel.id, error instanceof Error ? error.message : String(error));
    }
  }
  return tried;
}
