// Connected channel accounts (one WhatsApp number, Instagram account or support address each).
import type { Kysely } from 'kysely';
import type { ChannelAccount } from '../../channels/types.js';
import type { ChannelKind } from '../../domain/reply-policy.js';
import type { ChannelRow, Database } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';

export interface NewChannel {
  workspaceId: string;
  kind: ChannelKind;
  name: string;
  externalId: string;
  config?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  sandbox?: boolean;
}

export async function insertChannel(db: Kysely<Database>, input: NewChannel, now: number): Promise<ChannelRow> {
  return db
    .insertInto('channels')
    .values({
      id: newId(),
      workspace_id: input.workspaceId,
      kind: input.kind,
      name: input.name,
      external_id: input.externalId,
      config: JSON.stringify(input.config ?? {}),
      secrets: JSON.stringify(input.secrets ?? {}),
      sandbox: input.sandbox ? 1 : 0,
      enabled: 1,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findChannel(db: Kysely<Database>, id: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setChannelEnabled(db: Kysely<Database>, id: string, enabled: boolean, now: number): Promise<void> {
  await db.updateTable('channels').set({ enabled: enabled ? 1 : 0, updated_at: now }).where('id', '=', id).execute();
}

// Bumped when a channel's routing or secrets change in this process, so the caches below drop what they hold.
let channelsGeneration = 0;

/** Tells this process's channel caches that a channel changed (its secrets, say). */
export function noteChannelsChanged(): void {
  channelsGeneration++;
}

/**
 * The channels webhooks route to, by provider account, kept for a few seconds: a webhook burst would
 * otherwise read the same rows for every body. Only channels found are kept, so one connected a moment
 * ago is found at once; a change made through another server process applies within `ttlMs`.
 */
export class AccountChannels {
  readonly #rows = new Map<string, { row: ChannelRow; until: number; generation: number }>();
  readonly #ttlMs: number;

  constructor(ttlMs = 5_000) {
    this.#ttlMs = ttlMs;
  }

  async find(db: Kysely<Database>, kind: ChannelKind, accountIds: string[]): Promise<ChannelRow[]> {
    const now = performance.now();
    const found: ChannelRow[] = [];
    const missing: string[] = [];
    for (const accountId of new Set(accountIds)) {
      const cached = this.#rows.get(`${kind}:${accountId}`);
      if (cached && cached.until > now && cached.generation === channelsGeneration) found.push(cached.row);
      else missing.push(accountId);
    }
    if (missing.length === 0) return found;
    const generation = channelsGeneration;
    const rows = await findChannelsByAccounts(db, kind, missing);
    for (const row of rows) this.#rows.set(`${kind}:${row.external_id}`, { row, until: now + this.#ttlMs, generation });
    return [...found, ...rows];
  }
}

/** The channels of a kind connected to these provider accounts (webhooks are routed by account). */
export async function findChannelsByAccounts(db: Kysely<Database>, kind: ChannelKind, accountIds: string[]): Promise<ChannelRow[]> {
  if (accountIds.length === 0) return [];
  return db.selectFrom('channels').selectAll().where('kind', '=', kind).where('external_id', 'in', accountIds).execute();
}

/**
 * A channel row as channel code sees it. Pass the deps (their `allowPrivateOutboundUrls`) when the account
 * is for provider calls: without them a live channel's calls never reach private addresses.
 */
export function channelAccount(row: ChannelRow, outbound: { allowPrivateOutboundUrls?: boolean } = {}): ChannelAccount {
  return {
    channelId: row.id,
    name: row.name,
    accountId: row.external_id,
    settings: JSON.parse(row.config) as Record<string, unknown>,
    secrets: JSON.parse(row.secrets) as Record<string, string>,
    sandbox: row.sandbox === 1,
    allowPrivateAddresses: outbound.allowPrivateOutboundUrls === true,
  };
}
