// Assertions on what a use case returned or threw.
import { expect } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import type { IngestResult } from '../../src/modules/messages/ingest-inbound.js';

/** The refusal a use case threw; fails the test when it resolved or threw something else. */
export async function refusalOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

export type StoredIngest = Extract<IngestResult, { outcome: 'stored' }>;

/** An ingest result that stored the message; throws when the message was a duplicate or ignored. */
export function stored(result: IngestResult): StoredIngest {
  if (result.outcome !== 'stored') throw new Error(`expected the message to be stored, got ${result.outcome}`);
  return result;
}
