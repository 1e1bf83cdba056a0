// Group commit: units of work that arrive together share one durable commit, each in its own savepoint.
// On SQLite with synchronous=FULL the commit's fsync is the ceiling; sharing it lifts throughput while
// every caller still hears back only after the commit that made its unit durable.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Unit<T> = (trx: Kysely<Database>) => Promise<T>;

interface Job {
  work: Unit<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommitter {
  readonly #db: Kysely<Database>;
  readonly #maxGroup: number;
  #queue: Job[] = [];
  #scheduled = false;

  constructor(db: Kysely<Database>, maxGroup = 200) {
    this.#db = db;
    this.#maxGroup = maxGroup;
  }

  /** Runs a unit in the next group; resolves after that group's commit. A failing unit rolls back alone. */
  run<T>(work: Unit<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // Let pending I/O (more requests) reach the queue before the group starts.
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue.splice(0, this.#maxGroup);
      await this.#commitGroup(group);
    }
    this.#scheduled = false;
  }

  async #commitGroup(group: Job[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      const trx = await this.#db.startTransaction().execute();
      try {
        outcomes = [];
        for (const job of group) outcomes.push(await runInSavepoint(trx, job.work));
        await trx.commit().execute();
      } catch (error) {
        await trx.rollback().execute().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      for (const job of group) job.reject(error);
      return;
    }
    group.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}

async function runInSavepoint(trx: Kysely<Database>, work: Unit<unknown>): Promise<Outcome> {
  await sql`savepoint grouped_unit`.execute(trx);
  try {
    const value = await work(trx);
    await sql`release savepoint grouped_unit`.execute(trx);
    return { ok: true, value };
  } catch (error) {
    await sql`rollback to savepoint grouped_unit`.execute(trx);
    await sql`release savepoint grouped_unit`.execute(trx);
    return { ok: false, error };
  }
}
