// Contacts: search (for "+ New"), read with identities, windows and tickets, and the reply-window pre-flight.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getContactDetail, replyWindowFor, searchContacts } from '../../modules/contacts/contact-queries.js';
import type { Deps } from '../../modules/deps.js';
import { callerOf, requireCaller } from '../auth.js';
import { authenticatedErrors } from '../schemas.js';

const id = z.string().min(1).max(64);
const refusal = z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() });
const permission = z.union([
  z.object({ allowed: z.literal(true), tag: z.string().nullable(), automationRefusal: refusal.nullable() }),
  z.object({ allowed: z.literal(false), refusal }),
]);
export const replyWindowSchema = z.object({
  channelKind: z.enum(['whatsapp', 'instagram', 'email']),
  canStart: z.boolean(),
  freeForm: permission,
  template: permission,
  templateRequired: z.boolean(),
  windowClosesAt: z.number().nullable(),
});

export const contactRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store' | 'clock'> }> = async (app, { deps }) => {
  app.addHook('preHandler', requireCaller);

  app.get(
    '/contacts',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Search contacts by name, phone, email or Instagram handle',
        querystring: z.strictObject({ q: z.string().trim().min(1).max(200), limit: z.coerce.number().int().min(1).max(50).default(20) }),
        response: { 200: z.object({ contacts: z.array(z.object({ id: z.string(), name: z.string().nullable(), identities: z.array(z.object({ channelId: z.string(), address: z.string() }).loose()) })) }), ...authenticatedErrors },
      },
    },
    async (request) => ({ contacts: await searchContacts(deps.store.db, callerOf(request).workspaceId, request.query.q, request.query.limit) }),
  );

  app.get(
    '/contacts/:id',
    {
      schema: {
        tags: ['contacts'],
        summary: 'One contact with its identities per channel (and each reply window), tags and tickets',
        params: z.object({ id }),
        response: { 200: z.object({ contact: z.object({ id: z.string() }).loose(), identities: z.array(z.object({ channelId: z.string(), window: replyWindowSchema.nullable() }).loose()), tickets: z.array(z.object({ id: z.string() }).loose()) }), ...authenticatedErrors },
      },
    },
    async (request) => getContactDetail(deps.store.db, callerOf(request).workspaceId, request.params.id, deps.clock.now()),
  );

  app.get(
    '/reply-window',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Pre-flight: may the team write to this contact on this channel now, with what, and until when',
        querystring: z.strictObject({ channelId: id, contactId: id }),
        response: { 200: z.object({ window: replyWindowSchema }), ...authenticatedErrors },
      },
    },
    async (request) => ({ window: await replyWindowFor(deps.store.db, callerOf(request).workspaceId, request.query.channelId, request.query.contactId, deps.clock.now()) }),
  );
};
