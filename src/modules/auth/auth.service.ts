// Signing in and out, and resolving who a request is from a session cookie or an API token.
import { DAY, describeDuration } from '../../domain/clock.js';
import { DomainError } from '../../domain/errors.js';
import type { UserRow } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import type { Deps } from '../deps.js';
import { hashPassword, verifyPassword } from '../users/password.js';
import { findUserByEmail } from '../users/user.repo.js';
import { hashSecret, newSecret } from './secrets.js';
import { giveBackSignInAttempt, takeSignInAttempt } from './sign-in-throttle.js';

export const SESSION_LIFETIME_MS = 30 * DAY;

/** Who is calling: a user of one workspace, through a session or a token. */
export interface Caller {
  userId: string;
  workspaceId: string;
  role: 'admin' | 'agent';
  email: string;
  name: string;
  via: 'session' | 'token';
}

const callerOf = (user: UserRow, via: Caller['via']): Caller => ({ userId: user.id, workspaceId: user.workspace_id, role: user.role, email: user.email, name: user.name, via });

const invalidCredentials = () => new DomainError({ code: 'INVALID_CREDENTIALS', message: 'The email or password is wrong.' });

// Compared against when the account does not exist, so a wrong email costs as long as a wrong password.
const decoyHash = hashPassword('threadbox-decoy-password');

/** Checks a password and opens a session; the returned secret goes into the session cookie. */
export async function logIn(deps: Pick<Deps, 'store' | 'clock'>, input: { email: string; password: string; address: string }): Promise<{ caller: Caller; sessionSecret: string; expiresAt: number }> {
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

/** The active user behind an unrevoked API token, or null; notes when the token was last used. */
export async function callerFromToken(deps: Pick<Deps, 'store' | 'clock'>, token: string): Promise<Caller | null> {
  const row = await deps.store.db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select(['api_tokens.id as token_id', 'api_tokens.last_used_at'])
    .where('api_tokens.token_hash', '=', hashSecret(token))
    .where('api_tokens.revoked_at', 'is', null)
    .where('users.active', '=', 1)
    .executeTakeFirst();
  if (!row) return null;
  const now = deps.clock.now();
  if (row.last_used_at === null || now - row.last_used_at >= TOKEN_USE_RESOLUTION_MS) {
    await deps.store.unit((trx) => trx.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute());
  }
  return callerOf(row, 'token');
}
