// `npm run bench -- <name> [options]`: Threadbox's benchmarks. Run with no name for the list.
import { Command, Option } from 'commander';
import type { Engine } from '../src/db/dialect/engine.js';
import { benchIngest } from './ingest.bench.js';

const engines = new Option('--engine <engine>', 'sqlite, postgres or both').choices(['sqlite', 'postgres', 'both']).default('both');
const enginesOf = (value: string): Engine[] => (value === 'both' ? ['sqlite', 'postgres'] : [value as Engine]);

const program = new Command().name('npm run bench --').description('Threadbox benchmarks');
program
  .command('ingest')
  .description('ingestInbound throughput and latency on each engine, beside the raw durable-insert ceiling')
  .addOption(engines)
  .option('--messages <n>', 'messages to ingest', '50000')
  .option('--contacts <n>', 'distinct contacts', '5000')
  .option('--producers <n>', 'concurrent producers', '50')
  .action(async (o: { engine: string; messages: string; contacts: string; producers: string }) =>
    benchIngest({ engines: enginesOf(o.engine), messages: Number(o.messages), contacts: Number(o.contacts), producers: Number(o.producers) }),
  );

await program.parseAsync();
