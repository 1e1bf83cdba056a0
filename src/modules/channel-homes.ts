// Each channel's workspace and kind, one of the ports every use case can draw from (deps.ts): ingest
// reads them for every message, so they are cached for the life of the process.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ChannelKind } from '../domain/reply-policy.js';

export interface ChannelHome {
  workspaceId: string;
  kind: ChannelKind;
}

/**
 * Caches each channel's workspace and kind, which never change after creation, so the ingest path
 * does not read the channel row for every message.
 */
export class ChannelHomes {
  readonly #homes = new Map<string, ChannelHome>();

  async get(db: Kysely<Database>, channelId: string): Promise<ChannelHome | undefined> {
    const cached = this.#homes.get(channelId);
    if (cached) return cached;
    const row = await db.selectFrom('channels').select(['workspace_id', 'kind']).where('id', '=', channelId).executeTakeFirst();
    if (!row) return undefined;
    const home = { workspaceId: row.workspace_id, kind: row.kind };
    this.#homes.set(channelId, home);
    return home;
  }
}
