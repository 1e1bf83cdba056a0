// Tags on tickets and on contacts follow one rule, so a filter by tag finds both the same way.
import { DomainError } from './errors.js';

/** Tags are trimmed, lower-cased and de-duplicated; at most 50 characters each. */
export function normalizeTags(tags: string[]): string[] {
  const clean = [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
  const tooLong = clean.find((t) => t.length > 50);
  if (tooLong) throw new DomainError({ code: 'VALIDATION_FAILED', message: `The tag "${tooLong.slice(0, 20)}…" is longer than 50 characters.`, details: { field: 'tags' } });
  return clean;
}
