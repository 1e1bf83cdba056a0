import { describe, expect, it } from 'vitest';
import { isStoreUnavailable } from './errors.js';

describe('telling an unavailable store from a refused statement', () => {
  it.each([
    ['a PostgreSQL shutdown (57P01)', { code: '57P01', message: 'terminating connection due to administrator command' }],
    ['a connection exception (class 08)', { code: '08006', message: 'connection failure' }],
    ['a statement timeout (57014)', { code: '57014', message: 'canceling statement due to statement timeout' }],
    ['a refused socket', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ["pg's lost connection", new Error('Connection terminated unexpectedly')],
    ["pg's checkout timeout", new Error('timeout exceeded when trying to connect')],
    ["pg's read timeout", new Error('Query read timeout')],
    ['a cause further down', new Error('wrapped', { cause: { code: 'ECONNRESET' } })],
    ['SQLite busy past its timeout', { code: 'SQLITE_BUSY', message: 'database is locked' }],
    ['a SQLite I/O error', { code: 'SQLITE_IOERR_WRITE', message: 'disk I/O error' }],
  ])('%s is unavailable', (_name, error) => expect(isStoreUnavailable(error)).toBe(true));

  it.each([
    ['a unique violation', { code: '23505', message: 'duplicate key' }],
    ['a syntax error', { code: '42601', message: 'syntax error' }],
    ['a SQLite constraint', { code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed' }],
    ['a plain error', new Error('something else')],
    ['no error at all', null],
  ])('%s is not', (_name, error) => expect(isStoreUnavailable(error)).toBe(false));
});
