// Where provider webhooks are stored before they are acknowledged. Bodies that arrive together are
// written with one INSERT: on SQLite in one unit of the group commit, on PostgreSQL as one statement
// (atomic and durable on its own), a few at a time over the pool. Each caller is answered only once
// its body is durable.
import { BatchWriter } from '../../lib/batch-writer.js';
import type { Deps } from '../deps.js';
import { insertInboundPayloads, type NewInboundPayload } from './inbound-payload.repo.js';

// Large enough to absorb a burst in a few statements; small enough that one INSERT stays short.
const MAX_BATCH = 200;
/** On PostgreSQL, the pooled connections the intake may hold at once; processing leaves them free. */
export const POSTGRES_WRITES_IN_FLIGHT = 4;

export class PayloadIntake {
  readonly #deps: Pick<Deps, 'store' | 'clock'>;
  readonly #writer: BatchWriter<NewInboundPayload & { receivedAt: number }>;

  constructor(deps: Pick<Deps, 'store' | 'clock'>) {
    this.#deps = deps;
    const { store } = deps;
    const write =
      store.engine === 'postgres'
        ? async (items: (NewInboundPayload & { receivedAt: number })[]) => void (await insertInboundPayloads(store.db, items))
        : async (items: (NewInboundPayload & { receivedAt: number })[]) => void (await store.unit((trx) => insertInboundPayloads(trx, items), { urgent: true }));
    this.#writer = new BatchWriter(write, { maxBatch: MAX_BATCH, maxInFlight: store.engine === 'postgres' ? POSTGRES_WRITES_IN_FLIGHT : 1 });
  }

  /** Resolves once the payload is durable. */
  store(payload: NewInboundPayload): Promise<void> {
    return this.#writer.add({ ...payload, receivedAt: this.#deps.clock.now() });
  }
}
