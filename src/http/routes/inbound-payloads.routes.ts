// What providers sent that could not be read: parts of payloads that did not match the provider's
// documented types, kept with the reason (the payload itself is kept exactly as received); and messages
// from blocked senders, kept as received and recorded instead of opening tickets. Admins only.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../modules/deps.js';
import { listBlocked } from '../../modules/inbound/blocked-inbound.repo.js';
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

const blockedItem = z.object({
  id: z.string(),
  channelId: z.string(),
  contactId: z.string().describe('the blocked contact (as it was when the message came)'),
  identityId: z.string().describe('the blocked address'),
  address: z.string(),
  providerMessageId: z.string().describe("the provider's message id; the payload that carried it is kept as received"),
  kind: z.string().describe('text, media, comment, …'),
  receivedAt: z.number().describe('epoch ms when the message was processed'),
});

export const inboundPayloadRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store'> }> = async (app, { deps }) => {
  app.addHook('onRequest', requireAdmin);

  app.get(
    '/inbound-payloads',
    {
      schema: {
        tags: ['channels'],
        summary: 'Provider messages and events that could not be read, with the reason; or (state=blocked) messages from blocked senders (admins)',
        querystring: z.object({
          state: z.enum(['unreadable', 'blocked']).default('unreadable'),
          channelId: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.union([z.array(unreadableItem), z.array(blockedItem)]) }), ...authenticatedErrors },
      },
    },
    async (request) => {
      const { state, channelId, limit } = request.query;
      const options = { limit, ...(channelId ? { channelId } : {}) };
      const { workspaceId } = callerOf(request);
      return { items: state === 'blocked' ? await listBlocked(deps.store.db, workspaceId, options) : await listUnreadable(deps.store.db, workspaceId, options) };
    },
  );
};
