// npm run chaos: the fault suite. Runs Threadbox as real server processes on PostgreSQL (a cluster of the
// run's own, three servers, one SIGKILLed and restarted, the database restarted) and on SQLite (one
// server, SIGKILLed and restarted), under webhook traffic with duplicates and receipts out of order, agents'
// replies through a Graph API that fails and hangs, and checks that nothing acknowledged is lost or doubled
// and nothing is left stuck. Prints a summary and, last, one JSON line; exits 1 on any broken promise.
//
//   npm run chaos                          both engines
//   npm run chaos -- --engine sqlite       one engine
//   npm run chaos -- --deliveries 2000     fewer deliveries on PostgreSQL (--sqlite-deliveries for SQLite)
//   CHAOS_KEEP=1 npm run chaos             keep the temporary folder (server logs, SQLite file)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { emergencyCleanups, runScenario, type Engine, type ScenarioOptions, type ScenarioResult } from './scenario.js';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    deliveries: { type: 'string', default: '5000' },
    'sqlite-deliveries': { type: 'string', default: '2000' },
    'settle-seconds': { type: 'string', default: '120' },
  },
});

const engines: Engine[] = values.engine === 'both' ? ['postgres', 'sqlite'] : [values.engine as Engine];
if (!engines.every((e) => e === 'postgres' || e === 'sqlite')) {
  console.error('--engine is postgres, sqlite or both');
  process.exit(2);
}

const started = performance.now();
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-chaos-'));
const log = (line: string) => console.log(line);

// Interrupted: the scenario's own cleanup does not run, so leave nothing behind here.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`chaos: ${signal}; stopping`);
    for (const cleanup of emergencyCleanups) cleanup();
    fs.rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  });
}

process.on('unhandledRejection', (error) => {
  console.error('chaos: unhandled error; stopping', error);
  for (const cleanup of emergencyCleanups) cleanup();
  fs.rmSync(workDir, { recursive: true, force: true });
  process.exit(1);
});

const plans: Record<Engine, Omit<ScenarioOptions, 'workDir' | 'log'>> = {
  postgres: { engine: 'postgres', servers: 3, contacts: 500, deliveries: Number(values.deliveries), replies: 200, ratePerSecond: 150, restartDatabase: true, settleMs: Number(values['settle-seconds']) * 1000 },
  sqlite: { engine: 'sqlite', servers: 1, contacts: 200, deliveries: Number(values['sqlite-deliveries']), replies: 60, ratePerSecond: 100, restartDatabase: false, settleMs: Number(values['settle-seconds']) * 1000 },
};

const results: ScenarioResult[] = [];
try {
  for (const engine of engines) {
    log(`\n=== chaos on ${engine} ===`);
    const result = await runScenario({ ...plans[engine], workDir, log });
    results.push(result);
    log(`\n${engine}: ${result.failures.length === 0 ? 'every promise kept' : `${result.failures.length} broken promise(s)`}`);
    for (const [key, value] of Object.entries(result.counts)) log(`  ${key.padEnd(34)} ${value}`);
    for (const failure of result.failures) log(`  FAILED: ${failure}`);
  }
} finally {
  if (!process.env.CHAOS_KEEP) fs.rmSync(workDir, { recursive: true, force: true });
}

const failures = results.flatMap((r) => r.failures.map((f) => `${r.counts.engine}: ${f}`));
const seconds = Math.round((performance.now() - started) / 100) / 10;
log(`\nchaos: ${failures.length === 0 ? 'OK' : `FAILED (${failures.length})`} in ${seconds} s`);
console.log(JSON.stringify({ chaos: { ok: failures.length === 0, seconds, runs: results.map((r) => r.counts), failures } }));
process.exit(failures.length === 0 ? 0 : 1);
