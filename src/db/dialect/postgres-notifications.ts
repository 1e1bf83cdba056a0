// LISTEN on one PostgreSQL channel over a dedicated connection that comes back by itself when dropped.
// A pool connection will not do: the pool hands it to other queries and closes it when idle, and a
// LISTEN lasts only as long as the session that issued it.
import pg from 'pg';

export interface ListenOptions {
  url: string;
  channel: string;
  /** Called for each notification on the channel, and once after every reconnection. */
  onSignal: () => void;
  /** Told about connection failures and a throwing onSignal; the listener itself never throws. */
  onError: (error: Error) => void;
  /** The first wait before reconnecting; it doubles on each failed attempt up to `maxRetryMs`. */
  firstRetryMs?: number;
  maxRetryMs?: number;
}

/** Stops listening and closes the connection. */
export type StopListening = () => Promise<void>;

/** Named so an operator can tell the listening session apart in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'threadbox-listener';

/**
 * Starts listening. Resolves once the first attempt to connect has finished; if it failed, attempts
 * continue in the background, so callers must not rely on signals alone (poll as a fallback).
 */
export async function listenForNotifications(options: ListenOptions): Promise<StopListening> {
  const listener = new NotificationListener(options);
  await listener.connect(false);
  return () => listener.stop();
}

class NotificationListener {
  readonly #options: ListenOptions;
  readonly #firstRetryMs: number;
  readonly #maxRetryMs: number;
  readonly #lost = new WeakSet<pg.Client>();
  #retryMs: number;
  #client: pg.Client | null = null;
  #connecting: Promise<void> | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(options: ListenOptions) {
    this.#options = options;
    this.#firstRetryMs = options.firstRetryMs ?? 100;
    this.#maxRetryMs = options.maxRetryMs ?? 5_000;
    this.#retryMs = this.#firstRetryMs;
  }

  connect(reconnecting: boolean): Promise<void> {
    const attempt: Promise<void> = this.#attempt(reconnecting).finally(() => {
      if (this.#connecting === attempt) this.#connecting = null;
    });
    this.#connecting = attempt;
    return attempt;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    await this.#connecting;
    const client = this.#client;
    this.#client = null;
    if (client) {
      this.#lost.add(client);
      await client.end().catch(() => undefined);
    }
  }

  async #attempt(reconnecting: boolean): Promise<void> {
    if (this.#stopped) return;
    const client = new pg.Client({
      connectionString: this.#options.url,
      application_name: LISTENER_APPLICATION_NAME,
      connectionTimeoutMillis: 10_000,
      // A connection that dies without a goodbye (network cut, host gone) is noticed and replaced.
      keepAlive: true,
    });
    // Without an error handler an emitted 'error' would crash the process.
    client.on('error', (error) => this.#lose(client, error));
    client.on('end', () => this.#lose(client, null));
    client.on('notification', (notification) => {
      if (notification.channel === this.#options.channel) this.#signal();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.#options.channel)}`);
    } catch (error) {
      this.#lose(client, asError(error));
      return;
    }
    if (this.#stopped || this.#lost.has(client)) {
      this.#lost.add(client);
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#retryMs = this.#firstRetryMs;
    // Whatever was notified while the connection was down is gone; the listener has to look for itself.
    if (reconnecting) this.#signal();
  }

  /** Handles a failed attempt or a dropped connection once per client: closes it and schedules the next attempt. */
  #lose(client: pg.Client, error: Error | null): void {
    if (this.#lost.has(client)) return;
    this.#lost.add(client);
    if (this.#client === client) this.#client = null;
    if (this.#stopped) return;
    this.#options.onError(error ?? new Error('the listening connection ended'));
    void client.end().catch(() => undefined);
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, this.#maxRetryMs);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.connect(true);
    }, wait);
    // Retrying never keeps an otherwise finished process alive.
    this.#retryTimer.unref();
  }

  #signal(): void {
    try {
      this.#options.onSignal();
    } catch (error) {
      this.#options.onError(asError(error));
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
