// Recognizing constraint violations the same way on both engines.

/** Whether an error is a unique-index violation (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Whether an error is a foreign-key violation (PostgreSQL 23503, SQLite SQLITE_CONSTRAINT_FOREIGNKEY). */
/** PostgreSQL chose this transaction to end a deadlock, or could not serialize it: running it again may well succeed. */
export function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

// Signs that the database could not be reached or did not answer in time, as opposed to refusing the
// statement: SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect now), 57014
// (cancelled: the statement timeout), 53300 (too many connections), 25P03 (idle transaction timeout), the
// socket's own errors, pg's messages for a lost or timed-out connection, and SQLite's busy or I/O errors.
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '57014', '53300', '25P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_CANTOPEN']);
const UNAVAILABLE_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed|Connection ended unexpectedly)/;

/** Whether an error means the store is unreachable or too slow right now (worth a 503 and a retry), not that a statement was wrong. */
export function isStoreUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (code.startsWith('08') || UNAVAILABLE_CODES.has(code) || code.startsWith('SQLITE_IOERR')) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== error && isStoreUnavailable(e.cause);
}
