// Managing the people of a workspace (admin): list them, add one, change a role or name, deactivate or
// reactivate — always keeping at least one active admin, so the workspace can still be administered.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { engineOf } from '../../db/dialect/engine.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database, UserRow } from '../../db/schema.js';
import type { Caller } from '../../domain/caller.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import { hashPassword } from './password.js';
import { findUserByEmail, insertUser, type Role } from './user.repo.js';

export const MIN_PASSWORD_LENGTH = 10;

/** What the API shows of a user: never the password hash. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  createdAt: number;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  /** Chosen by the admin; without it a one-time password is generated. */
  password?: string;
}

export interface UserChanges {
  role?: Role;
  name?: string;
  active?: boolean;
}

export function toUserView(row: UserRow): UserView {
  return { id: row.id, email: row.email, name: row.name, role: row.role, active: row.active === 1, createdAt: row.created_at };
}

/** The workspace's users, oldest first. */
export async function listUsers(db: Kysely<Database>, workspaceId: string): Promise<UserView[]> {
  const rows = await db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toUserView);
}

const emailTaken = () => new DomainError({ code: 'EMAIL_TAKEN', message: 'A user with this email already exists; emails identify people across the whole server. Use another address.', details: { field: 'email' } });

/**
 * Adds a user to the caller's workspace. The generated password, when there is one, is returned here
 * only: nothing but its hash is stored.
 */
export async function createUser(deps: Pick<Deps, 'store' | 'clock'>, caller: Caller, input: NewUser): Promise<{ user: UserView; temporaryPassword: string | null }> {
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
    throw new DomainError({ code: 'VALIDATION_FAILED', message: `A password needs at least ${MIN_PASSWORD_LENGTH} characters; leave it out to have a strong one generated.`, details: { field: 'password' } });
  }
  // Checked before hashing so the common mistake is refused at once; the unique index settles races.
  if (await findUserByEmail(deps.store.db, input.email)) throw emailTaken();
  const temporaryPassword = input.password === undefined ? randomBytes(18).toString('base64url') : null;
  const passwordHash = await hashPassword(input.password ?? temporaryPassword!);
  try {
    const row = await deps.store.unit((trx) =>
      insertUser(trx, { workspaceId: caller.workspaceId, email: input.email, name: input.name, role: input.role, passwordHash }, deps.clock.now()),
    );
    return { user: toUserView(row), temporaryPassword };
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken();
    throw error;
  }
}

/**
 * Changes a user's role, name or activity. Deactivating ends their sessions and revokes their API
 * tokens in the same transaction, so nothing they hold keeps working. Tickets assigned to them stay
 * assigned: reassigning them is a separate decision for the team.
 */
export async function changeUser(deps: Pick<Deps, 'store' | 'clock'>, caller: Caller, userId: string, changes: UserChanges): Promise<UserView> {
  const now = deps.clock.now();
  return deps.store.unit(async (trx) => {
    const target = await trx.selectFrom('users').selectAll().where('workspace_id', '=', caller.workspaceId).where('id', '=', userId).executeTakeFirst();
    if (!target) throw notFound('The user');
    if (changes.role === 'agent' || changes.active === false) {
      const admins = await lockActiveAdmins(trx, caller.workspaceId);
      if (admins.length === 1 && admins[0] === target.id) {
        throw new DomainError({
          code: 'LAST_ADMIN',
          message: `${caller.kind !== 'integration' && target.id === caller.userId ? 'You are' : `${target.name} is`} the only active admin of this workspace; make someone else an admin first.`,
        });
      }
    }
    const active = changes.active === undefined ? target.active : changes.active ? 1 : 0;
    const updated = await trx
      .updateTable('users')
      .set({ role: changes.role ?? target.role, name: changes.name ?? target.name, active })
      .where('id', '=', target.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (target.active === 1 && active === 0) await endAccessOf(trx, target, now);
    return toUserView(updated);
  });
}

/**
 * The ids of the workspace's active admins. On PostgreSQL their rows are locked (in id order, so two
 * admins demoting each other cannot deadlock) and the later of two concurrent demotions sees the
 * earlier one; SQLite runs one writer at a time anyway.
 */
async function lockActiveAdmins(trx: Kysely<Database>, workspaceId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'admin')
    .where('active', '=', 1)
    .orderBy('id')
    .$if(engineOf(trx) === 'postgres', (qb) => qb.forUpdate())
    .execute();
  return rows.map((r) => r.id);
}

async function endAccessOf(trx: Kysely<Database>, user: UserRow, now: number): Promise<void> {
  await trx.deleteFrom('sessions').where('workspace_id', '=', user.workspace_id).where('user_id', '=', user.id).execute();
  // Their personal tokens only: the integration tokens they created belong to the workspace and keep working.
  await trx
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('workspace_id', '=', user.workspace_id)
    .where('user_id', '=', user.id)
    .where('kind', '=', 'personal')
    .where('revoked_at', 'is', null)
    .execute();
}
