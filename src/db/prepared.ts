// Prepared queries: a hot-path query is built and compiled once per engine and then executed with new
// parameter values. Building and compiling a Kysely query costs about as much as SQLite running it.
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import { engineOf, type Engine } from './dialect/engine.js';
import type { Database } from './schema.js';

const MARK = '\u0000threadbox-param:';

/**
 * A named placeholder for a value given at execution. The query's shape must not depend on it:
 * write `coalesce(${param('name')}, name)` rather than choosing SQL by the value.
 */
export function param<T = string>(name: string): T {
  return `${MARK}${name}` as T;
}

interface Compiled<Row> {
  query: CompiledQuery<Row>;
  /** For each compiled parameter, the placeholder it stands for (null: a constant). */
  slots: (string | null)[];
}

/** Runs compiled SQL on the connection a transaction holds, without the executor's async hops. */
export type DirectRunner = (sqlText: string, parameters: readonly unknown[]) => unknown[];

// Transactions whose connection may be used directly: only the group-commit transaction registers,
// while it exclusively holds SQLite's single connection and runs its units one after another.
const directRunners = new WeakMap<Kysely<Database>, DirectRunner>();

/** Lets prepared queries run straight on `trx`'s connection until the transaction ends. */
export function allowDirectExecution(trx: Kysely<Database>, runner: DirectRunner): void {
  directRunners.set(trx, runner);
}

/** A query compiled once per engine; `execute` substitutes the placeholders. */
export class PreparedQuery<Args extends Record<string, unknown>, Row> {
  readonly #build: (db: Kysely<Database>) => Compilable<Row>;
  readonly #compiled = new Map<Engine, Compiled<Row>>();

  constructor(build: (db: Kysely<Database>) => Compilable<Row>) {
    this.#build = build;
  }

  async execute(db: Kysely<Database>, args: Args): Promise<Row[]> {
    const { query, slots } = this.#compiledFor(db);
    const parameters = query.parameters.map((value, i) => {
      const slot = slots[i];
      if (slot === null || slot === undefined) return value;
      if (!(slot in args)) throw new Error(`prepared query is missing parameter "${slot}"`);
      return args[slot];
    });
    const direct = directRunners.get(db);
    if (direct) return direct(query.sql, parameters) as Row[];
    return (await db.executeQuery<Row>({ ...query, parameters })).rows;
  }

  async executeTakeFirst(db: Kysely<Database>, args: Args): Promise<Row | undefined> {
    return (await this.execute(db, args))[0];
  }

  #compiledFor(db: Kysely<Database>): Compiled<Row> {
    const engine = engineOf(db);
    let compiled = this.#compiled.get(engine);
    if (!compiled) {
      const query = this.#build(db).compile();
      const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? p.slice(MARK.length) : null));
      compiled = { query, slots };
      this.#compiled.set(engine, compiled);
    }
    return compiled;
  }
}
