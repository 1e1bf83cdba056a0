#!/usr/bin/env node
// The `threadbox` command line: serve, migrate, create users, seed the demo workspace, back up and restore.
import { Command, Option } from 'commander';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../lib/logger.js';
import { backupCommand, createUserCommand, migrateCommand, restoreCommand, seedDemoCommand, serveCommand, startCommand, type CreateUserOptions } from './commands.js';

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

program
  .command('backup')
  .description('back the database up into a file while servers run (SQLite: online backup, checked; PostgreSQL: pg_dump custom format)')
  .argument('<file>')
  .action(withConfig((config, logger, file: string) => backupCommand(config, logger, file)));
program
  .command('restore')
  .description('replace the database with a backup (stop every server first; PostgreSQL: pg_restore)')
  .argument('<file>')
  .option('--force', 'SQLite: restore even though the database looks open (a server that stopped without closing it)')
  .action(withConfig((config, logger, file: string, options: { force?: boolean }) => restoreCommand(config, logger, file, options)));

program.parseAsync().catch((error: unknown) => {
  console.error(`threadbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
