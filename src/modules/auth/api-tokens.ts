// Personal API tokens for integrations: created for the caller, shown once, listed without the secret, revoked.
import { notFound } from '../../domain/errors.js';
import { newId } from '../../lib/ids.js';
import type { Deps } from '../deps.js';
import type { Caller } from './auth.service.js';
import { hashSecret, newSecret } from './secrets.js';

export interface ApiTokenView {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export async function createApiToken(deps: Pick<Deps, 'store' | 'clock'>, caller: Caller, name: string): Promise<{ token: string; view: ApiTokenView }> {
  const token = newSecret('tbt_');
  const now = deps.clock.now();
  const id = newId();
  await deps.store.unit((trx) =>
    trx.insertInto('api_tokens').values({ id, workspace_id: caller.workspaceId, user_id: caller.userId, name, token_hash: hashSecret(token), created_at: now, last_used_at: null, revoked_at: null }).execute(),
  );
  return { token, view: { id, name, createdAt: now, lastUsedAt: null, revokedAt: null } };
}

export async function listApiTokens(deps: Pick<Deps, 'store'>, caller: Caller): Promise<ApiTokenView[]> {
  const rows = await deps.store.db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
    .where('workspace_id', '=', caller.workspaceId)
    .where('user_id', '=', caller.userId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

export async function revokeApiToken(deps: Pick<Deps, 'store' | 'clock'>, caller: Caller, id: string): Promise<void> {
  const result = await deps.store.unit((trx) =>
    trx
      .updateTable('api_tokens')
      .set({ revoked_at: deps.clock.now() })
      .where('id', '=', id)
      .where('workspace_id', '=', caller.workspaceId)
      .where('user_id', '=', caller.userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst(),
  );
  if (result.numUpdatedRows === 0n) throw notFound('The API token');
}
