// Signing in and out, and resolving who a request is from a session cookie or an API token.
import { DAY, describeDuration } from '../../domain/clock.js';
import type { Caller, UserCaller } from '../../domain/caller.js';
import { DomainError } from '../../domain/errors.js';
import type { UserRow } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import type { Deps } from '../deps.js';
import { hashPassword, verifyPassword } from '../users/password.js';
import { findUserByEmail } from '../users/user.repo.js';
import { hashSecret, newSecret } from './secrets.js';
import { giveBackSignInAttempt, takeSignInAttempt } from './sign-in-throttle.js';

export const SESSION_LIFETIME_MS = 30 * DAY;

const callerOf = (user: UserRow, via: UserCaller['via']): UserCaller => ({ kind: 'user', userId: user.id, workspaceId: user.workspace_id, role: user.role, email: user.email, name: user.name, via });

const invalidCredentials = () => new DomainError({ code: 'INVALID_CREDENTIALS', message: 'The email or password is wrong.' });

// Compared against when the account does not exist, so a wrong email costs as long as a wrong password.
const decoyHash = hashPassword('threadbox-decoy-password');

/** Checks a password and opens a session; the returned secret goes into the session cookie. */
export async function logIn(deps: Pick<Deps, 'store' | 'clock'>, input: { email: string; password: string; address: string }): Promise<{ caller: UserCaller; sessionSecret: string; expiresAt: number }> {
  const email = input.email.trim().toLowerCase();
  const now = deps.clock.now();
  const attempt = await takeSignInAttempt(deps.store, email, input.address, now);
  if (!attempt.allowed) {
    const waitS = Math.ceil((attempt.retryAt - now) / 1000);
    const wait = waitS < 60 ? `${waitS} second${waitS === 1 ? '' : 's'}` : describeDuration(waitS * 1000);
    throw new DomainError({ code: 'RATE_LIMITED', message: `Too many failed sign-in attempts from here; try again in ${wait}.`, details: { retryAfterSeconds: waitS } });
  }
  const user = await findUserByEmail(deps.store.db, email);
  const valid = await verifyPassword(input.password, user?.password_hash ?? (await decoyHash));
  if (!user || !valid || user.active !== 1) throw invalidCredentials();
  await giveBackSignInAttempt(deps.store, attempt.counted, now);
  const sessionSecret = newSecret('tbs_');
  const expiresAt = now + SESSION_LIFETIME_MS;
  await deps.store.unit((trx) =>
    trx.insertInto('sessions').values({ id: newId(), workspace_id: user.workspace_id, user_id: user.id, token_hash: hashSecret(sessionSecret), created_at: now, expires_at: expiresAt }).execute(),
  );
  return { caller: callerOf(user, 'session'), sessionSecret, expiresAt };
}

export async function logOut(deps: Pick<Deps, 'store'>, sessionSecret: string): Promise<void> {
  await deps.store.unit((trx) => trx.deleteFrom('sessions').where('token_hash', '=', hashSecret(sessionSecret)).execute());
}

/** The active user behind a live session, or null. */
export async function callerFromSession(deps: Pick<Deps, 'store' | 'clock'>, sessionSecret: string): Promise<Caller | null> {
  const user = await deps.store.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .where('sessions.token_hash', '=', hashSecret(sessionSecret))
    .where('sessions.expires_at', '>', deps.clock.now())
    .where('users.active', '=', 1)
    .executeTakeFirst();
  return user ? callerOf(user, 'session') : null;
}

// Integrations call often; recording the last use once a minute is precise enough for "last used".
const TOKEN_USE_RESOLUTION_MS = 60_000;

/**
 * Who an unrevoked API token speaks for, or null: the active owner of a personal token, or the integration
 * an integration token names (whether or not the admin who created it is still active). Notes the last use.
 */
export async function callerFromToken(deps: Pick<Deps, 'store' | 'clock'>, token: string): Promise<Caller | null> {
  const row = await deps.store.db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select(['api_tokens.id as token_id', 'api_tokens.kind as token_kind', 'api_tokens.name as token_name', 'api_tokens.workspace_id as token_workspace_id', 'api_tokens.last_used_at'])
    .where('api_tokens.token_hash', '=', hashSecret(token))
    .where('api_tokens.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('api_tokens.kind', '=', 'integration'), eb('users.active', '=', 1)]))
    .executeTakeFirst();
  if (!row) return null;
  const now = deps.clock.now();
  if (row.last_used_at === null || now - row.last_used_at >= TOKEN_USE_RESOLUTION_MS) {
    await deps.store.unit((trx) => trx.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute());
  }
  if (row.token_kind === 'integration') {
    return { kind: 'integration', integrationId: row.token_id, workspaceId: row.token_workspace_id, role: 'agent', name: row.token_name, via: 'token' };
  }
  return callerOf(row, 'token');
}
