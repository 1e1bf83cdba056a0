// Backing up and restoring the database. SQLite: SQLite's online backup (better-sqlite3), taken while the
// server runs and writes, into a file checked before it is kept; restored by copying a checked backup into
// place while no server uses the database. PostgreSQL: pg_dump's custom format and pg_restore, PostgreSQL's
// own tools (they must be installed), run without a shell.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { isPostgresUrl, sqliteFileOf } from './store.js';

export interface BackupSummary {
  file: string;
  bytes: number;
  /** Rows of the main tables in the backup (SQLite; null for a pg_dump archive). */
  counts: { tickets: number; messages: number } | null;
}

export async function backupDatabase(databaseUrl: string, file: string): Promise<BackupSummary> {
  const target = path.resolve(file);
  if (isPostgresUrl(databaseUrl)) {
    await runTool('pg_dump', ['--format=custom', '--no-owner', `--file=${target}`], databaseUrl);
    return { file: target, bytes: fs.statSync(target).size, counts: null };
  }
  const source = new Database(sqliteFileOf(databaseUrl), { fileMustExist: true });
  // Written beside the target, checked, then renamed: a failed backup never leaves a file that looks whole.
  const partial = `${target}.partial`;
  try {
    source.pragma('busy_timeout = 10000');
    await source.backup(partial);
  } finally {
    source.close();
  }
  const counts = checkedSqliteBackup(partial);
  fs.renameSync(partial, target);
  return { file: target, bytes: fs.statSync(target).size, counts };
}

/**
 * Replaces the database with a backup. SQLite: refused while the database is open (a server runs on it,
 * or one stopped without closing it) unless `force`.
 */
export async function restoreDatabase(databaseUrl: string, file: string, options: { force?: boolean } = {}): Promise<BackupSummary> {
  const source = path.resolve(file);
  if (!fs.existsSync(source)) throw new Error(`There is no backup at ${source}.`);
  if (isPostgresUrl(databaseUrl)) {
    await runTool('pg_restore', ['--clean', '--if-exists', '--no-owner', '--single-transaction', `--dbname=${pgEnvOf(databaseUrl).PGDATABASE}`, source], databaseUrl);
    return { file: source, bytes: fs.statSync(source).size, counts: null };
  }
  const counts = checkedSqliteBackup(source);
  const target = path.resolve(sqliteFileOf(databaseUrl));
  const wal = `${target}-wal`;
  // SQLite keeps the shared-memory file while any connection has the database open, and removes it when the last one closes.
  if (!options.force && fs.existsSync(`${target}-shm`)) {
    throw new Error(`${target} is open: a server may be running on it (or one stopped without closing it). Stop every server using it, then restore (or pass --force).`);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const incoming = `${target}.restoring`;
  fs.copyFileSync(source, incoming);
  for (const leftover of [wal, `${target}-shm`]) fs.rmSync(leftover, { force: true });
  fs.renameSync(incoming, target);
  return { file: source, bytes: fs.statSync(source).size, counts };
}

/** Checks that a file is a whole Threadbox database (integrity, migrations applied); its main tables' rows. */
function checkedSqliteBackup(file: string): { tickets: number; messages: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`${file} is damaged: ${String(integrity)}`);
    const migrated = db.prepare(`select count(*) as n from sqlite_master where type = 'table' and name = 'kysely_migration'`).get() as { n: number };
    if (migrated.n === 0) throw new Error(`${file} is not a Threadbox database (it has no migrations).`);
    const count = (table: string) => (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    return { tickets: count('tickets'), messages: count('messages') };
  } finally {
    db.close();
  }
}

/**
 * Runs one of PostgreSQL's client tools on the database; its stderr becomes the error when it fails. The
 * connection goes in libpq's environment variables, never in arguments other users could see in `ps`.
 */
function runTool(tool: string, args: string[], databaseUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...pgEnvOf(databaseUrl) } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error(`${tool} was not found: install PostgreSQL's client tools (the version of your server or newer).`) : error));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${tool} failed (exit ${code}): ${stderr.trim()}`))));
  });
}

/** A postgres:// URL as libpq's environment variables. */
function pgEnvOf(databaseUrl: string): Record<string, string> {
  const url = new URL(databaseUrl);
  const env: Record<string, string> = { PGDATABASE: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres' };
  if (url.hostname) env.PGHOST = decodeURIComponent(url.hostname);
  if (url.port) env.PGPORT = url.port;
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}
