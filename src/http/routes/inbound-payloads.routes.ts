// What providers sent that could not be read: parts of payloads that did not match the provider's
// documented types, kept with the reason (the payload itself is kept exactly as received); messages
// from blocked senders, kept as received and recorded instead of opening tickets; and held mail (a sender
// that could not be verified, machine-written mail with no ticket to join, mail naming no sender), which an
// admin releases into its ticket or discards. Admins only.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../modules/deps.js';
import { listBlocked } from '../../modules/inbound/blocked-inbound.repo.js';
import { listUnreadable } from '../../modules/inbound/unreadable-inbound.repo.js';
import { decideHeldMessage } from '../../modules/inbound/decide-held.js';
import { listHeld } from '../../modules/inbound/held-inbound.repo.js';
import { callerOf, personOf, requireAdmin } from '../auth.js';
import { authenticatedErrors, errorResponse } from '../schemas.js';

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

const heldItem = z.object({
  id: z.string(),
  channelId: z.string(),
  payloadId: z.string().describe('the stored delivery, kept exactly as received'),
  providerMessageId: z.string(),
  address: z.string().describe('the sender the mail claims; empty when it names none (reason no_sender)'),
  subject: z.string().nullable(),
  reason: z
    .string()
    .describe(
      "unverified_sender: the From failed its domain's DMARC check; automated: machine-written mail (auto-reply, list mail nobody answers, a report) whose sender has no active ticket, released it opens a ticket as a person's mail; no_sender: no From, Reply-To, Sender or Return-Path names an address, it can only be discarded (release answers 409 HELD_WITHOUT_SENDER)",
    ),
  verdict: z.record(z.string(), z.unknown()).describe('what an admin is told: summary; for unverified_sender the sender check: authenticity, spf, dkim, dmarc, …'),
  receivedAt: z.number(),
  decision: z.enum(['released', 'discarded']).nullable(),
  decidedAt: z.number().nullable(),
  decidedByUserId: z.string().nullable(),
});

export const inboundPayloadRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store' | 'clock'> }> = async (app, { deps }) => {
  app.addHook('onRequest', requireAdmin);

  app.get(
    '/inbound-payloads',
    {
      schema: {
        tags: ['channels'],
        summary: 'Provider messages and events that could not be read, with the reason; (state=blocked) messages from blocked senders; (state=held) held mail: an unverified sender, automated mail with no ticket to join, or no sender (admins)',
        querystring: z.object({
          state: z.enum(['unreadable', 'blocked', 'held']).default('unreadable'),
          channelId: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.union([z.array(unreadableItem), z.array(blockedItem), z.array(heldItem)]) }), ...authenticatedErrors },
      },
    },
    async (request) => {
      const { state, channelId, limit } = request.query;
      const options = { limit, ...(channelId ? { channelId } : {}) };
      const { workspaceId } = callerOf(request);
      if (state === 'held') return { items: await listHeld(deps.store.db, workspaceId, options) };
      return { items: state === 'blocked' ? await listBlocked(deps.store.db, workspaceId, options) : await listUnreadable(deps.store.db, workspaceId, options) };
    },
  );

  for (const [action, decision] of [['release', 'released'], ['discard', 'discarded']] as const) {
    app.post(
      `/inbound-held/:id/${action}`,
      {
        schema: {
          tags: ['channels'],
          summary:
            decision === 'released'
              ? "Release held mail: it is read again and reaches its ticket (an unverified sender's still showing the verdict, automated mail as a person's mail); mail with no sender cannot be released (409 HELD_WITHOUT_SENDER) (admins)"
              : 'Discard held mail: it stays recorded here and reaches no ticket (admins)',
          params: z.object({ id: z.string().min(1).max(64) }),
          response: { 200: z.object({ held: heldItem }), 409: errorResponse, ...authenticatedErrors },
        },
      },
      async (request) => {
        // Deciding what may reach agents is a person's call, never an integration's.
        const person = personOf(callerOf(request));
        return { held: await decideHeldMessage(deps, { workspaceId: person.workspaceId, userId: person.userId }, request.params.id, decision) };
      },
    );
  }
};
