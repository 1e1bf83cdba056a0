// Runs tasks one after another per key, in the order they were submitted, while tasks with no key in
// common run side by side. The order is fixed when `run` is called, before anything is awaited.

export class KeyedSerializer {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(keys: Iterable<string>, task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const before = unique.map((key) => this.#tails.get(key)).filter((p): p is Promise<unknown> => p !== undefined);
    const result = Promise.allSettled(before).then(task);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    for (const key of unique) this.#tails.set(key, settled);
    void settled.then(() => {
      for (const key of unique) if (this.#tails.get(key) === settled) this.#tails.delete(key);
    });
    return result;
  }
}
