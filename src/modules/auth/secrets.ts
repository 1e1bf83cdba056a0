// Bearer secrets (session cookies, API tokens): random, shown once, stored only as a SHA-256 hash.
import { createHash, randomBytes } from 'node:crypto';

/** A new secret with a readable prefix (`tbs_` sessions, `tbt_` API tokens). */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a secret. A fast hash is enough: the secret has 256 random bits. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
