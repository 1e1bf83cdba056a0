// API tokens, created, shown once, listed without the secret and revoked by one code for both kinds:
// a person's own tokens (acting as them) and a workspace's integration tokens (managed by its admins,
// acting as an automation under the token's name).
import type { Caller, UserCaller } from '../../domain/caller.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { newId } from '../../lib/ids.js';
import type { Deps } from '../deps.js';
import { hashSecret, newSecret } from './secrets.js';

export interface ApiTokenView {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Which tokens a call manages: the person's own, or the workspace's integration tokens (admins only). */
export type TokenScope = { kind: 'personal'; workspaceId: string; userId: string } | { kind: 'integration'; workspaceId: string; adminUserId: string };

/** The caller's own tokens; an integration has none. */
export function personalTokens(caller: Caller): TokenScope {
  return { kind: 'personal', workspaceId: caller.workspaceId, userId: personOf(caller, 'API tokens belong to people; an integration cannot manage them.').userId };
}

/** The workspace's integration tokens, managed by an admin. */
export function integrationTokens(caller: Caller): TokenScope {
  const admin = personOf(caller, 'Only an admin of this workspace can manage integration tokens.');
  if (admin.role !== 'admin') throw new DomainError({ code: 'FORBIDDEN', message: 'Only an admin of this workspace can manage integration tokens.' });
  return { kind: 'integration', workspaceId: admin.workspaceId, adminUserId: admin.userId };
}

function personOf(caller: Caller, refusal: string): UserCaller {
  if (caller.kind === 'integration') throw new DomainError({ code: 'FORBIDDEN', message: refusal });
  return caller;
}

const PREFIX = { personal: 'tbt_', integration: 'tbi_' } as const;

export async function createToken(deps: Pick<Deps, 'store' | 'clock'>, scope: TokenScope, name: string): Promise<{ token: string; view: ApiTokenView }> {
  const token = newSecret(PREFIX[scope.kind]);
  const now = deps.clock.now();
  const id = newId();
  const userId = scope.kind === 'personal' ? scope.userId : scope.adminUserId;
  await deps.store.unit((trx) =>
    trx
      .insertInto('api_tokens')
      .values({ id, workspace_id: scope.workspaceId, kind: scope.kind, user_id: userId, name, token_hash: hashSecret(token), created_at: now, last_used_at: null, revoked_at: null })
      .execute(),
  );
  return { token, view: { id, name, createdAt: now, lastUsedAt: null, revokedAt: null } };
}

export async function listTokens(deps: Pick<Deps, 'store'>, scope: TokenScope): Promise<ApiTokenView[]> {
  let query = deps.store.db.selectFrom('api_tokens').select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at']).where('workspace_id', '=', scope.workspaceId).where('kind', '=', scope.kind);
  if (scope.kind === 'personal') query = query.where('user_id', '=', scope.userId);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

export async function revokeToken(deps: Pick<Deps, 'store' | 'clock'>, scope: TokenScope, id: string): Promise<void> {
  const result = await deps.store.unit((trx) => {
    let update = trx.updateTable('api_tokens').set({ revoked_at: deps.clock.now() }).where('id', '=', id).where('workspace_id', '=', scope.workspaceId).where('kind', '=', scope.kind);
    if (scope.kind === 'personal') update = update.where('user_id', '=', scope.userId);
    return update.where('revoked_at', 'is', null).executeTakeFirst();
  });
  if (result.numUpdatedRows === 0n) throw notFound(scope.kind === 'personal' ? 'The API token' : 'The integration token');
}

/** A personal token for the caller (acting as them). */
export const createApiToken = (deps: Pick<Deps, 'store' | 'clock'>, caller: Caller, name: string) => createToken(deps, personalTokens(caller), name);
