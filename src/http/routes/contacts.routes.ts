// Contacts: search (for "+ New"), create, read with identities, windows and tickets, edit, addresses,
// merge, and the reply-window pre-flight.
import { CHANNEL_KINDS } from '../../domain/reply-policy.js';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { setContactBlocked } from '../../modules/contacts/block-contact.js';
import { addContactAddress, removeContactAddress, updateContact } from '../../modules/contacts/contact-actions.js';
import { getContactDetail, replyWindowFor, searchContacts } from '../../modules/contacts/contact-queries.js';
import { createContact } from '../../modules/contacts/create-contact.js';
import { mergeContacts } from '../../modules/contacts/merge-contacts.js';
import type { Deps } from '../../modules/deps.js';
import { actorOf, callerOf, requireCaller } from '../auth.js';
import { authenticatedErrors, errorResponse, tagsInput } from '../schemas.js';

const id = z.string().min(1).max(64);
const refusal = z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() });
const permission = z.union([
  z.object({ allowed: z.literal(true), tag: z.string().nullable(), automationRefusal: refusal.nullable() }),
  z.object({ allowed: z.literal(false), refusal }),
]);
export const replyWindowSchema = z.object({
  channelKind: z.enum(CHANNEL_KINDS),
  canStart: z.boolean(),
  freeForm: permission,
  template: permission,
  templateRequired: z.boolean(),
  windowClosesAt: z.number().nullable(),
});

const addressInput = z.strictObject({ channelId: id, address: z.string().trim().min(1).max(320) });
const name = z.string().trim().max(200).nullable();
const tags = tagsInput;
const contactEvent = z.object({
  id: z.string(),
  type: z.string().describe('contact.blocked, contact.unblocked'),
  actorKind: z.string(),
  actorUserId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).describe('channelId, identityIds, addresses'),
  createdAt: z.number(),
});
const contactDetail = z.object({
  contact: z.object({ id: z.string(), blockedChannelIds: z.array(z.string()).describe('channels on which the contact is blocked: its messages there open no ticket') }).loose(),
  identities: z.array(z.object({ id: z.string(), channelId: z.string(), window: replyWindowSchema.nullable(), blockedAt: z.number().nullable() }).loose()),
  timeline: z.array(contactEvent).describe("the contact's own events, oldest first"),
  tickets: z.array(z.object({ id: z.string() }).loose()),
});
const blockTarget = z.union([
  z.strictObject({ channelId: id.describe("every address of the contact on this channel") }),
  z.strictObject({ identityId: id.describe('one address of the contact (its identity id)') }),
]);
const contactErrors = { ...authenticatedErrors, 409: errorResponse } as const;

export const contactRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store' | 'clock'> }> = async (app, { deps }) => {
  app.addHook('onRequest', requireCaller);

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
        response: { 200: contactDetail, ...authenticatedErrors },
      },
    },
    async (request) => getContactDetail(deps.store.db, callerOf(request).workspaceId, request.params.id, deps.clock.now()),
  );

  app.get(
    '/reply-window',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Pre-flight: may the caller write to this contact on this channel now, with what, and until when (an integration token is answered as an automation)',
        querystring: z.strictObject({ channelId: id, contactId: id }),
        response: { 200: z.object({ window: replyWindowSchema }), ...authenticatedErrors },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      // An integration is answered as the automation it is: what only a person may send is refused.
      const origin = caller.kind === 'integration' ? 'automation' : 'agent';
      return { window: await replyWindowFor(deps.store.db, caller.workspaceId, request.query.channelId, request.query.contactId, origin, deps.clock.now()) };
    },
  );

  const detail = (request: FastifyRequest, contactId: string) => getContactDetail(deps.store.db, callerOf(request).workspaceId, contactId, deps.clock.now());

  app.post(
    '/contacts',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Create a contact with a name and addresses on channels (an address another contact has is refused)',
        body: z.strictObject({ name: name.optional(), addresses: z.array(addressInput).max(20).default([]), tags: tags.optional() }),
        response: { 201: contactDetail, ...contactErrors },
      },
    },
    async (request, reply) => {
      const { contactId } = await createContact(deps, actorOf(callerOf(request)), request.body);
      return reply.code(201).send(await detail(request, contactId));
    },
  );

  app.patch(
    '/contacts/:id',
    {
      schema: {
        tags: ['contacts'],
        summary: "Rename a contact or replace its tags",
        params: z.object({ id }),
        body: z.strictObject({ name: name.optional(), tags: tags.optional() }),
        response: { 200: contactDetail, ...authenticatedErrors },
      },
    },
    async (request) => {
      await updateContact(deps, actorOf(callerOf(request)), request.params.id, request.body);
      return detail(request, request.params.id);
    },
  );

  app.post(
    '/contacts/:id/addresses',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Add an address on a channel to the contact',
        params: z.object({ id }),
        body: addressInput,
        response: { 200: contactDetail, ...contactErrors },
      },
    },
    async (request) => {
      await addContactAddress(deps, actorOf(callerOf(request)), request.params.id, request.body);
      return detail(request, request.params.id);
    },
  );

  app.delete(
    '/contacts/:id/addresses/:identityId',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Remove an address from the contact (refused while a ticket is active on it)',
        params: z.object({ id, identityId: id }),
        response: { 200: contactDetail, ...contactErrors },
      },
    },
    async (request) => {
      await removeContactAddress(deps, actorOf(callerOf(request)), request.params.id, request.params.identityId);
      return detail(request, request.params.id);
    },
  );

  app.post(
    '/contacts/:id/merge',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Merge a duplicate into this contact: its addresses, tickets and tags move here and the duplicate is deleted',
        params: z.object({ id }),
        body: z.strictObject({ duplicateContactId: id }),
        response: { 200: contactDetail.extend({ movedTicketIds: z.array(z.string()) }), ...contactErrors },
      },
    },
    async (request) => {
      const { movedTicketIds } = await mergeContacts(deps, actorOf(callerOf(request)), request.params.id, request.body.duplicateContactId);
      return { ...(await detail(request, request.params.id)), movedTicketIds };
    },
  );

  for (const [action, blocked] of [['block', true], ['unblock', false]] as const) {
    app.post(
      `/contacts/:id/${action}`,
      {
        schema: {
          tags: ['contacts'],
          summary: blocked
            ? "Block the contact on a channel (or one address): its messages there are acknowledged and kept as received, recorded as blocked, and open no ticket; an active ticket stays as it is"
            : 'Unblock the contact on a channel (or one address): its next message there is processed as usual',
          params: z.object({ id }),
          body: blockTarget,
          response: { 200: contactDetail.extend({ changed: z.boolean().describe('false when it already was so (nothing recorded)') }), ...authenticatedErrors, 422: errorResponse },
        },
      },
      async (request) => {
        const { changed } = await setContactBlocked(deps, actorOf(callerOf(request)), request.params.id, request.body, blocked);
        return { ...(await detail(request, request.params.id)), changed };
      },
    );
  }
};
