// `npm run bench -- whatsapp --processes 1,2,3`: the same signed webhooks, sent to N `threadbox serve`
// processes (real child processes, jobs on in each) on one PostgreSQL database, the load spread over them
// as a reverse proxy would. Measures how acknowledgement and the rate at which messages reach tickets
// grow with processes.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../src/domain/clock.js';
import { insertChannel } from '../src/modules/channels/channel.repo.js';
import { insertWorkspace } from '../src/modules/workspaces/workspace.repo.js';
import { openBenchStore } from './targets.js';

export interface SignedBody {
  raw: string;
  signature: string;
}

export interface LoadResult {
  perSecond: number;
  p50: number;
  p99: number;
  problems: string | null;
}

export type Load = (url: string, bodies: SignedBody[], connections: number, rate?: number) => Promise<LoadResult>;

export interface ProcessesResult {
  processes: number;
  acknowledgedPerSecond: number;
  processedPerSecond: number;
  drainSeconds: number;
  steadyP50: number;
  steadyP99: number;
  /** The largest server's resident memory at the end, and the most any server held at any time, in MB. */
  rssMb: number;
  peakRssMb: number;
}

/** A process's resident memory now and at its peak, in MB, from /proc (Linux). */
function residentMemoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const ROOT = path.resolve(import.meta.dirname, '..');
const POOL_SIZE = 20;

/** Starts one `threadbox serve` on the database; resolves with its webhook URL once it listens. */
function startServe(databaseUrl: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', JOBS: 'on', SANDBOX: 'off', LOG_LEVEL: 'warn', PG_POOL_SIZE: String(POOL_SIZE) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      output += String(chunk);
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ child, url: `${url}/webhooks/whatsapp` });
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('exit', (code) => reject(new Error(`a server stopped (${code}) before listening:\n${output}`)));
  });
}

/** Bodies dealt round robin over `n` parts, as a proxy spreads requests. */
function deal<T>(items: T[], n: number): T[][] {
  const parts: T[][] = Array.from({ length: n }, () => []);
  items.forEach((item, i) => parts[i % n]!.push(item));
  return parts;
}

export async function measureProcesses(processes: number, setup: { phoneNumberId: string; secret: string; connections: number; steadyRate: number }, bodies: SignedBody[], steady: SignedBody[], load: Load): Promise<ProcessesResult> {
  const bench = await openBenchStore('postgres', `wa_${processes}p`);
  const servers: ChildProcess[] = [];
  const dataDirs: string[] = [];
  try {
    const now = systemClock.now();
    const workspace = await insertWorkspace(bench.store.db, 'Bench', now);
    await insertChannel(bench.store.db, { workspaceId: workspace.id, kind: 'whatsapp', name: 'Bench', externalId: setup.phoneNumberId, secrets: { appSecret: setup.secret, accessToken: 'bench' } }, now);
    const started = await Promise.all(
      Array.from({ length: processes }, () => {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-bench-serve-'));
        dataDirs.push(dataDir);
        return startServe(bench.databaseUrl, dataDir);
      }),
    );
    servers.push(...started.map((s) => s.child));
    const urls = started.map((s) => s.url);
    const connections = Math.max(1, Math.floor(setup.connections / processes));

    const burstStarted = performance.now();
    const burst = await Promise.all(deal(bodies, processes).map((part, i) => load(urls[i]!, part, connections)));
    const stored = () => bench.store.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const acknowledgedAt = performance.now();
    // Counting a million rows is work of its own: a big run asks less often.
    const pollMs = bodies.length > 50_000 ? 1_000 : 100;
    while (Number((await stored()).n) < bodies.length) await new Promise((resolve) => setTimeout(resolve, pollMs));
    const processedAt = performance.now();

    const steadyLoad = await Promise.all(deal(steady, processes).map((part, i) => load(urls[i]!, part, connections, setup.steadyRate / processes)));
    const memory = servers.map((server) => residentMemoryOf(server.pid!));
    return {
      processes,
      acknowledgedPerSecond: burst.reduce((sum, part) => sum + part.perSecond, 0),
      processedPerSecond: bodies.length / ((processedAt - burstStarted) / 1000),
      drainSeconds: (processedAt - acknowledgedAt) / 1000,
      steadyP50: Math.max(...steadyLoad.map((part) => part.p50)),
      steadyP99: Math.max(...steadyLoad.map((part) => part.p99)),
      rssMb: Math.max(...memory.map((m) => m.rss)),
      peakRssMb: Math.max(...memory.map((m) => m.peak)),
    };
  } finally {
    for (const server of servers) server.kill('SIGTERM');
    await Promise.all(servers.map((server) => (server.exitCode === null ? new Promise((resolve) => server.once('exit', resolve)) : null)));
    await bench.dispose();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}
