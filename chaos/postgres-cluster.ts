// A PostgreSQL cluster of the chaos run's own: initdb into a temporary folder, trust auth, a free port,
// listening on 127.0.0.1 only, never the machine's shared server. initdb refuses to run as root, so as
// root (CI) every cluster command runs as the `postgres` OS user, with the folder handed to it.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

export interface PostgresCluster {
  url: string;
  port: number;
  dir: string;
  version: string;
  /** `pg_ctl restart -m fast`: every connection is closed, the cluster is back when this resolves. */
  restart(): Promise<void>;
  /** Stops the cluster (immediately) and deletes its folder; safe to call twice. */
  destroy(): void;
  /** The cluster's log, for the report when something fails. */
  logTail(lines: number): string;
}

/** The newest PostgreSQL binaries installed (or CHAOS_PG_BIN). */
function postgresBin(): { bin: string; version: string } {
  const given = process.env.CHAOS_PG_BIN;
  if (given) return { bin: given, version: path.basename(path.dirname(given)) };
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL binaries under ${root} (set CHAOS_PG_BIN to the folder holding initdb and pg_ctl)`);
  return { bin: path.join(root, versions[0]!, 'bin'), version: versions[0]! };
}

const asRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a cluster command, as the postgres user when we are root; throws with its output on failure. */
function run(command: string, args: string[], timeoutMs = 60_000): string {
  const [file, argv] = asRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8', timeout: timeoutMs, cwd: '/tmp' });
  if (result.status !== 0) {
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.error?.message ?? ''}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** The same, without blocking the event loop (the run keeps sending while the cluster restarts). */
async function runAsync(command: string, args: string[], timeoutMs = 60_000): Promise<void> {
  const [file, argv] = asRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  await promisify(execFile)(file, argv, { timeout: timeoutMs, cwd: '/tmp' });
}

/** Starts a cluster in a new folder under the system's temporary folder (which the postgres user can reach). */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const { bin, version } = postgresBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-chaos-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  if (asRoot()) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (ids.status !== 0) throw new Error('running as root needs the postgres OS user to run the cluster (initdb refuses root)');
    // The cluster's folder is the postgres user's own.
    fs.chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
  }
  const port = await freePort();
  let stopped = false;
  const pgCtl = path.join(bin, 'pg_ctl');
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c max_connections=120`;
  run(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-instructions', '--no-sync']);
  run(pgCtl, ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);

  const cluster: PostgresCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    version,
    restart: () => runAsync(pgCtl, ['-D', data, '-l', log, '-o', options, '-m', 'fast', '-w', '-t', '60', 'restart']),
    destroy: () => {
      if (stopped) return;
      stopped = true;
      try {
        run(pgCtl, ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop'], 40_000);
      } catch {
        // already stopped, or never started: the folder goes anyway
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
    logTail: (lines) => {
      try {
        return fs.readFileSync(log, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
  };
  return cluster;
}
