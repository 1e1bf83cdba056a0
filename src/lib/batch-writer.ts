// Collects items that arrive together and writes them with one call, so a burst of small writes costs
// a few statements instead of one each; every caller hears back only when the write holding its item
// is done (and hears its failure if that write failed).

interface Pending<T> {
  item: T;
  resolve(): void;
  reject(error: unknown): void;
}

export interface BatchWriterOptions {
  /** The most items one write takes. */
  maxBatch: number;
  /** How many writes may be in flight at once (1 for a store with one writer). */
  maxInFlight: number;
}

export class BatchWriter<T> {
  readonly #write: (items: T[]) => Promise<void>;
  readonly #options: BatchWriterOptions;
  #queue: Pending<T>[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(write: (items: T[]) => Promise<void>, options: BatchWriterOptions) {
    this.#write = write;
    this.#options = options;
  }

  /** Resolves once the item is written. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#options.maxInFlight || this.#queue.length === 0) return;
    this.#scheduled = true;
    // Let the requests already read from the sockets join this write.
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxBatch);
      this.#inFlight++;
      this.#write(batch.map((p) => p.item)).then(
        () => batch.forEach((p) => p.resolve()),
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      ).finally(() => {
        this.#inFlight--;
        this.#schedule();
      });
    }
  }
}
