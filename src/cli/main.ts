#!/usr/bin/env node
// The `threadbox` command line: serve, migrate, create users and seed the demo workspace.
import { Command, Option } from 'commander';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../lib/logger.js';
import { createUserCommand, migrateCommand, seedDemoCommand, serveCommand, startCommand, type CreateUserOptions } from './commands.js';

const program = new Command()
  .name('threadbox')
  .description('Self-hostable omnichannel support inbox. Configured by environment: PORT, HOST, DATABASE_URL, DATA_DIR, LOG_LEVEL, JOBS.');

const withConfig =
  <A extends unknown[]>(action: (config: ReturnType<typeof loadConfig>, logger: ReturnType<typeof createLogger>, ...args: A) => Promise<void>) =>
  async (...args: A) => {
    const config = loadConfig();
    await action(config, createLogger(config.logLevel), ...args);
  };

program.command('start').description('migrate, create the demo workspace on first run, print the login and serve').action(withConfig(startCommand));
program.command('serve').description('serve the HTTP API and run the background jobs').action(withConfig(serveCommand));
program.command('migrate').description('apply every pending database migration').action(withConfig(migrateCommand));
program.command('seed-demo').description('create the demo workspace (sandbox channels, contacts, tickets) unless it exists').action(withConfig(seedDemoCommand));
program
  .command('create-user')
  .description('create an agent or admin (prints a generated password unless --password is given)')
  .requiredOption('--email <email>')
  .requiredOption('--name <name>')
  .addOption(new Option('--role <role>').choices(['admin', 'agent']).default('agent'))
  .option('--password <password>')
  .option('--workspace <idOrName>', 'an existing workspace (default: the only one)')
  .option('--new-workspace <name>', 'create a workspace for this user')
  .action(withConfig((config, logger, options: CreateUserOptions) => createUserCommand(config, logger, options)));

program.parseAsync().catch((error: unknown) => {
  console.error(`threadbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
