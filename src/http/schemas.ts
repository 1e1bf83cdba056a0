// Shared pieces of the API's request and response schemas (Zod; they also generate the OpenAPI document).
import { z } from 'zod';

export const errorResponse = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
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
