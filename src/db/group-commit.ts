// Group commit: units of work that arrive together share one durable commit, each in its own savepoint.
// On SQLite with synchronous=FULL the commit's fsync is the ceiling; sharing it lifts throughput while
// every caller still hears back only after the commit that made its unit durable.
import type { Kysely } from 'kysely';
import { allowDirectExecution, type DirectRunner } from './prepared.js';
import type { Database } from './schema.js';

// How long the units of one group may run before the group commits and the event loop breathes.
const MAX_GROUP_WORK_MS = 4;

export type Unit<T> = (trx: Kysely<Database>) => Promise<T>;

interface Job {
  work: Unit<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs a statement directly on the connection the group's transaction holds. Savepoints go this way:
 * through the query builder they would cost more than a small unit of work.
 */
export type RawExec = (statement: string) => void;

export class GroupCommitter {
  readonly #db: Kysely<Database>;
  readonly #exec: RawExec;
  readonly #direct: DirectRunner;
  readonly #maxGroup: number;
  #queue: Job[] = [];
  /** How many jobs at the head of the queue are urgent. */
  #urgentCount = 0;
  #scheduled = false;

  constructor(db: Kysely<Database>, exec: RawExec, direct: DirectRunner, maxGroup = 200) {
    this.#db = db;
    this.#exec = exec;
    this.#direct = direct;
    this.#maxGroup = maxGroup;
  }

  /**
   * Runs a unit in the next group; resolves after that group's commit. A failing unit rolls back alone.
   * An urgent unit (a webhook waiting to be acknowledged) goes ahead of queued background work.
   */
  run<T>(work: Unit<T>, urgent = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job = { work, resolve: resolve as (value: unknown) => void, reject };
      if (urgent) this.#queue.splice(this.#urgentCount++, 0, job);
      else this.#queue.push(job);
      if (!this.#scheduled) {
        this.#scheduled = true;
        // Let pending I/O (more requests) reach the queue before the group starts.
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      await this.#commitGroup(this.#takeGroup());
      // Callers answered by this commit usually send their next unit within a few microtasks, and
      // pending requests wait in the poll phase: yield once so they join the next group.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.#scheduled = false;
  }

  #takeGroup(): Job[] {
    const group = this.#queue.splice(0, this.#maxGroup);
    this.#urgentCount = Math.max(0, this.#urgentCount - group.length);
    return group;
  }

  /** Puts jobs a group did not get to back at the head of the queue, ahead of everything queued since. */
  #putBack(jobs: Job[]): void {
    this.#queue.unshift(...jobs);
  }

  async #commitGroup(taken: Job[]): Promise<void> {
    let outcomes: Outcome[];
    let group = taken;
    try {
      const trx = await this.#db.startTransaction().execute();
      allowDirectExecution(trx, this.#direct);
      try {
        outcomes = [];
        const started = performance.now();
        for (const job of group) {
          outcomes.push(await this.#runInSavepoint(trx, job.work));
          // The units of a group run without yielding to the event loop: past a few milliseconds the
          // rest waits for the next group, so requests (webhooks to acknowledge) are not held up.
          if (performance.now() - started > MAX_GROUP_WORK_MS && outcomes.length < group.length) {
            this.#putBack(group.slice(outcomes.length));
            group = group.slice(0, outcomes.length);
            break;
          }
        }
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

  async #runInSavepoint(trx: Kysely<Database>, work: Unit<unknown>): Promise<Outcome> {
    this.#exec('savepoint grouped_unit');
    try {
      const value = await work(trx);
      this.#exec('release savepoint grouped_unit');
      return { ok: true, value };
    } catch (error) {
      this.#exec('rollback to savepoint grouped_unit');
      this.#exec('release savepoint grouped_unit');
      return { ok: false, error };
    }
  }
}
