// Read-only questions the run asks the store directly (never through the servers under test), on either
// engine: SQL written once with `?` placeholders.
import Database from 'better-sqlite3';
import pg from 'pg';

export interface Probe {
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export function postgresProbe(url: string): Probe {
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000 });
  // The run restarts the database: an idle connection reset then is expected, not fatal.
  pool.on('error', () => {});
  return {
    async rows<T>(sql: string, params: unknown[] = []) {
      let n = 0;
      const text = sql.replace(/\?/g, () => `$${++n}`);
      const result = await pool.query(text, params);
      return result.rows as T[];
    },
    close: () => pool.end(),
  };
}

export function sqliteProbe(file: string): Probe {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return {
    async rows<T>(sql: string, params: unknown[] = []) {
      return db.prepare(sql).all(...params) as T[];
    },
    async close() {
      db.close();
    },
  };
}

/** Retries a probe question through a database restart, for up to `timeoutMs`. */
export async function patiently<T>(ask: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await ask();
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
