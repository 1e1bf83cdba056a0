// `npm run bench -- <name> [options]`: Threadbox's benchmarks. Run with no name for the list.
import { Command, InvalidArgumentError, Option } from 'commander';
import os from 'node:os';
import type { Engine } from '../src/db/dialect/engine.js';
import { benchApi } from './api.bench.js';
import { benchIngest } from './ingest.bench.js';
import { benchWhatsapp } from './whatsapp.bench.js';

const engines = new Option('--engine <engine>', 'sqlite, postgres or both').choices(['sqlite', 'postgres', 'both']).default('both');
const enginesOf = (value: string): Engine[] => (value === 'both' ? ['sqlite', 'postgres'] : [value as Engine]);

/** The last line of every benchmark: its figures as one JSON object, with the machine's load average. */
async function report(bench: string, run: Promise<unknown[]>): Promise<void> {
  const results = await run;
  console.log(JSON.stringify({ bench, loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))), results }));
}

const program = new Command().name('npm run bench --').description('Threadbox benchmarks');
program
  .command('ingest')
  .description('ingestInbound throughput and latency on each engine, beside the raw durable-insert ceiling')
  .addOption(engines)
  .option('--messages <n>', 'messages to ingest', '50000')
  .option('--contacts <n>', 'distinct contacts', '5000')
  .option('--producers <n>', 'concurrent producers', '50')
  .action(async (o: { engine: string; messages: string; contacts: string; producers: string }) =>
    report('ingest', benchIngest({ engines: enginesOf(o.engine), messages: Number(o.messages), contacts: Number(o.contacts), producers: Number(o.producers) })),
  );

const count = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
};

program
  .command('api')
  .description('ticket list and ticket read latency through the HTTP API over a big store, beside the GET /healthz floor')
  .addOption(engines)
  .option('--tickets <n>', 'tickets to seed', count, 200_000)
  .option('--messages <n>', 'messages to seed (at least one per ticket)', count, 1_000_000)
  .option('--contacts <n>', 'contacts to seed (at most one per ticket)', count, 50_000)
  .option('--requests <n>', 'requests per scenario and concurrency level', count, 2_000)
  .option('--concurrency <n>', 'concurrent requests, where the targets are judged; 8 is measured too', count, 1)
  .action(async (o: { engine: string; tickets: number; messages: number; contacts: number; requests: number; concurrency: number }) =>
    report('api', benchApi({ ...o, engines: enginesOf(o.engine), concurrency: [...new Set([o.concurrency, 8])] })),
  );

program
  .command('whatsapp')
  .description('signed WhatsApp webhooks over HTTP into tickets on each engine, beside a bare signature-checking route')
  .addOption(engines)
  .option('--messages <n>', 'POSTs in the burst, one message each', '20000')
  .option('--contacts <n>', 'distinct customers', '2000')
  .option('--connections <n>', 'concurrent connections', '50')
  .option('--steady-rate <n>', 'messages a second in the steady phase', '1000')
  .option('--steady-seconds <n>', 'length of the steady phase', '10')
  .option('--processes <list>', 'PostgreSQL scale-out: counts of threadbox serve processes on one database, e.g. 1,2,3')
  .action(async (o: { engine: string; messages: string; contacts: string; connections: string; steadyRate: string; steadySeconds: string; processes?: string }) =>
    report('whatsapp', benchWhatsapp({
      engines: enginesOf(o.engine),
      messages: Number(o.messages),
      contacts: Number(o.contacts),
      connections: Number(o.connections),
      steadyRate: Number(o.steadyRate),
      steadySeconds: Number(o.steadySeconds),
      ...(o.processes ? { processes: processCounts(o.processes) } : {}),
    })),
  );

/** `1,2,3` as process counts, each a whole number from 1. */
function processCounts(list: string): number[] {
  const counts = list.split(',').map((part) => Number(part.trim()));
  if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--processes takes whole numbers from 1, like 1,2,3 (got ${list})`);
  return counts;
}

await program.parseAsync();
