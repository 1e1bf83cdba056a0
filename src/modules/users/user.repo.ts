// Users of a workspace (agents and admins).
import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';

export type Role = 'admin' | 'agent';

export async function insertUser(
  db: Kysely<Database>,
  input: { workspaceId: string; email: string; name: string; role: Role; passwordHash: string },
  now: number,
): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({
      id: newId(),
      workspace_id: input.workspaceId,
      email: input.email.trim().toLowerCase(),
      name: input.name,
      role: input.role,
      password_hash: input.passwordHash,
      active: 1,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export async function findActiveUser(db: Kysely<Database>, workspaceId: string, userId: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', userId).where('active', '=', 1).executeTakeFirst();
}

/** The workspace's active people as any signed-in user may see them: a name to assign to, no email or role. */
export async function listTeammates(db: Kysely<Database>, workspaceId: string): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('users').select(['id', 'name']).where('workspace_id', '=', workspaceId).where('active', '=', 1).orderBy('name').orderBy('id').execute();
}
