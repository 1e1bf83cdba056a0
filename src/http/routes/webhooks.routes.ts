// Outgoing webhooks, for admins: create (a generated secret is in that response only), list, read,
// change, rotate the secret, delete.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhooks.js';
import type { Deps } from '../../modules/deps.js';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, rotateWebhookSecret, updateWebhook } from '../../modules/webhooks/webhook-admin.js';
import { callerOf, requireAdmin } from '../auth.js';
import { authenticatedErrors, errorResponse } from '../schemas.js';

const params = z.object({ id: z.string().min(1).max(64) });
const url = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2048);
const eventTypes = z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1, 'must name at least one event type').max(WEBHOOK_EVENT_TYPES.length * 2);
const description = z.string().trim().max(500);

const webhookView = z.object({
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  enabled: z.boolean(),
  description: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  lastDeliveryAt: z.number().nullable(),
  lastFailureAt: z.number().nullable(),
  lastFailureReason: z.string().nullable(),
});

// A URL that is or resolves to a private address is refused with 422 URL_NOT_ALLOWED (PRIVATE_OUTBOUND_URLS=refuse).
const saveErrors = { ...authenticatedErrors, 422: errorResponse } as const;

export const webhookRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store' | 'clock' | 'allowPrivateOutboundUrls'> }> = async (app, { deps }) => {
  app.addHook('onRequest', requireAdmin);

  app.get(
    '/webhooks',
    { schema: { tags: ['webhooks'], summary: "The workspace's webhooks (never their secrets)", response: { 200: z.object({ webhooks: z.array(webhookView) }), ...authenticatedErrors } } },
    async (request) => ({ webhooks: await listWebhooks(deps, callerOf(request)) }),
  );

  app.post(
    '/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Create a webhook; a generated signing secret is in this response only',
        body: z.strictObject({
          url,
          eventTypes,
          description: description.optional(),
          secret: z.string().min(16).max(256).optional().describe('your own signing secret; one is generated when absent'),
        }),
        response: { 201: z.object({ webhook: webhookView, secret: z.string().optional().describe('the generated secret, shown once') }), ...saveErrors },
      },
    },
    async (request, reply) => {
      const created = await createWebhook(deps, callerOf(request), request.body);
      return reply.code(201).send(created.secret === null ? { webhook: created.webhook } : { webhook: created.webhook, secret: created.secret });
    },
  );

  app.get(
    '/webhooks/:id',
    { schema: { tags: ['webhooks'], summary: 'One webhook, with its last delivery and last failure', params, response: { 200: z.object({ webhook: webhookView }), ...authenticatedErrors } } },
    async (request) => ({ webhook: await getWebhook(deps, callerOf(request), request.params.id) }),
  );

  app.patch(
    '/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Change the URL, event types, description, or enable and disable; a disabled webhook receives nothing',
        params,
        body: z
          .strictObject({ url: url.optional(), eventTypes: eventTypes.optional(), enabled: z.boolean().optional(), description: description.nullable().optional() })
          .refine((body) => Object.keys(body).length > 0, 'name at least one of url, eventTypes, enabled, description'),
        response: { 200: z.object({ webhook: webhookView }), ...saveErrors },
      },
    },
    async (request) => ({ webhook: await updateWebhook(deps, callerOf(request), request.params.id, request.body) }),
  );

  app.post(
    '/webhooks/:id/rotate-secret',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Replace the signing secret at once; the new one is in this response only',
        params,
        response: { 200: z.object({ webhook: webhookView, secret: z.string() }), ...authenticatedErrors },
      },
    },
    async (request) => rotateWebhookSecret(deps, callerOf(request), request.params.id),
  );

  app.delete(
    '/webhooks/:id',
    { schema: { tags: ['webhooks'], summary: 'Delete a webhook; deliveries still queued for it are dropped', params, response: { 204: z.null(), ...authenticatedErrors } } },
    async (request, reply) => {
      await deleteWebhook(deps, callerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
