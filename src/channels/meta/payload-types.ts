// Checking a part of a Meta webhook body against the types the provider documents (channels.md), so a
// part that does not match is reported with a reason instead of read with invented values.
import type { z } from 'zod';

/** Whether `value` matches `schema`; otherwise a sentence naming each field that does not. */
export function mismatchOf(schema: z.ZodType, value: unknown): string | null {
  const result = schema.safeParse(value);
  if (result.success) return null;
  return result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'the value'}: ${issue.message}`)
    .join('; ');
}
