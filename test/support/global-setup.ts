// Once per test run: a migrated PostgreSQL template database that each test file copies, dropped at the end.
import type { TestProject } from 'vitest/node';
import { openStore } from '../../src/db/store.js';
import { assertPostgresReachable, createDatabase, dropDatabase, dropDatabasesLike } from './postgres-admin.js';

const RUN_PREFIX = 'threadbox_test_';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await assertPostgresReachable();
  await dropDatabasesLike(`${RUN_PREFIX}stale_`).catch(() => undefined);
  const template = `${RUN_PREFIX}${process.pid}_template`;
  await dropDatabase(template);
  const store = openStore({ databaseUrl: await createDatabase(template) });
  await store.migrate();
  await store.close();
  project.provide('pgTemplate', template);
  return async () => {
    await dropDatabasesLike(`${RUN_PREFIX}${process.pid}_`);
  };
}
