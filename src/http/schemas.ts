// Shared pieces of the API's request and response schemas (Zod; they also generate the OpenAPI document).
import { z } from 'zod';

export const errorResponse = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional(), requestId: z.string().optional().describe('the X-Request-Id of this answer, as the server logged it') }) })
  .describe('Every failure has this shape; `code` is stable, `message` is for people.');

/** Responses every authenticated route may give, besides its own. */
export const authenticatedErrors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse } as const;

export const caller = z.object({
  userId: z.string(),
  workspaceId: z.string(),
  role: z.enum(['admin', 'agent']),
  email: z.string(),
  name: z.string(),
});

// Unicode control characters (C0, DEL, C1): never part of a tag a person can read.
const CONTROL_CHARACTER = /\p{Cc}/u;

/** One tag as people send it: 1 to 50 characters once trimmed, no control characters (stored trimmed, lower-cased). */
export const tagInput = z
  .string()
  .max(50)
  .refine((tag) => tag.trim() !== '', { message: 'A tag cannot be empty.' })
  .refine((tag) => !CONTROL_CHARACTER.test(tag), { message: 'A tag cannot contain control characters.' });

/** A list of tags that replaces the current ones. */
export const tagsInput = z.array(tagInput).max(50);
