// What providers sent that could not be read: parts of payloads that did not match the provider's
// documented types, kept with the reason (the payload itself is kept exactly as received). Admins only.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../modules/deps.js';
import { listUnreadable } from '../../modules/inbound/unreadable-inbound.repo.js';
import { callerOf, requireAdmin } from '../auth.js';
import { authenticatedErrors } from '../schemas.js';

const unreadableItem = z.object({
  id: z.string(),
  payloadId: z.string().describe('the stored payload, kept exactly as received'),
  source: z.string().describe('whatsapp, instagram, …'),
  channelId: z.string(),
  item: z.string().describe('where in the payload, e.g. entry[0].changes[0].value.messages[1]'),
  providerMessageId: z.string().nullable(),
  reason: z.string().describe('which fields did not have the documented types'),
  receivedAt: z.number().describe('epoch ms when the payload was received'),
});

export const inboundPayloadRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store'> }> = async (app, { deps }) => {
  app.addHook('onRequest', requireAdmin);

  app.get(
    '/inbound-payloads',
    {
      schema: {
        tags: ['channels'],
        summary: 'Provider messages and events that could not be read, with the reason (admins)',
        querystring: z.object({
          state: z.enum(['unreadable']).default('unreadable'),
          channelId: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(unreadableItem) }), ...authenticatedErrors },
      },
    },
    async (request) => {
      const { channelId, limit } = request.query;
      return { items: await listUnreadable(deps.store.db, callerOf(request).workspaceId, { limit, ...(channelId ? { channelId } : {}) }) };
    },
  );
};
