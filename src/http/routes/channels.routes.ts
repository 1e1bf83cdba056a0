// Channels: every agent lists and reads them (to start tickets and filter the inbox); admins connect,
// configure and switch them off. Secrets go in and never come back out. Templates of a channel too.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { channelSetup } from '../../channels/registry.js';
import { CHANNEL_KINDS, type ChannelKind } from '../../domain/reply-policy.js';
import { channelView, createChannel, getChannel, listChannels, updateChannel } from '../../modules/channels/channel-admin.js';
import { syncTemplates } from '../../modules/channels/sync-templates.js';
import { listTemplates } from '../../modules/channels/templates.js';
import type { Deps } from '../../modules/deps.js';
import { callerOf, personOf, requireAdmin, requireCaller } from '../auth.js';
import { authenticatedErrors, errorResponse } from '../schemas.js';

const id = z.string().min(1).max(64);
const name = z.string().trim().min(1).max(100);
const verifyToken = z.string().trim().min(8).max(200).describe('Meta channels: the token Meta presents when verifying the webhook; generated when absent.');

function newChannelBody<K extends ChannelKind>(kind: K) {
  const setup = channelSetup(kind);
  return z.strictObject({
    kind: z.literal(kind),
    name,
    sandbox: z.boolean().default(false).describe('A sandbox channel talks to the built-in simulator instead of the provider.'),
    settings: setup.settings.default({}),
    secrets: setup.secrets.partial().optional().describe('Write-only: stored, never returned.'),
    verifyToken: verifyToken.optional(),
  });
}

// One body per kind the registry knows, so a new channel's settings are checked here with no change.
const [firstKindBody, ...otherKindBodies] = CHANNEL_KINDS.map((kind) => newChannelBody(kind));
const newChannel = z.discriminatedUnion('kind', [firstKindBody!, ...otherKindBodies]);

// The kind is only known once the channel is read, so each kind's settings are checked again there.
const channelChange = z.strictObject({
  name: name.optional(),
  enabled: z.boolean().optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  secrets: z.record(z.string(), z.string().min(1).max(4096).nullable()).optional().describe('Each given secret replaces the stored one; null removes it.'),
  verifyToken: verifyToken.optional(),
});

const channelSchema = z.object({
  id: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  name: z.string(),
  sandbox: z.boolean(),
  enabled: z.boolean(),
  accountId: z.string(),
  settings: z.record(z.string(), z.unknown()),
  secretsSet: z.array(z.string()),
  webhook: z.object({ url: z.string(), verifyToken: z.string() }).nullable(),
  attention: z.object({ reason: z.string(), since: z.number() }).nullable().describe("Set when the provider refused the channel's credentials; its messages wait until an admin replaces them."),
  templatesSyncedAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const templateSchema = z.object({
  id: z.string(),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  status: z.string(),
  usable: z.boolean(),
  headerText: z.string().nullable(),
  headerMedia: z.string().nullable(),
  bodyText: z.string(),
  footerText: z.string().nullable(),
  buttons: z.array(z.object({ type: z.string(), text: z.string() })),
  parameters: z.array(z.object({ component: z.string(), index: z.number().optional(), name: z.string(), type: z.string(), example: z.string().nullable(), optional: z.boolean().optional() })),
  updatedAt: z.number(),
});

const adminErrors = { ...authenticatedErrors, 409: errorResponse, 422: errorResponse } as const;

export const channelRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store' | 'clock' | 'allowPrivateOutboundUrls'>; publicUrl: string }> = async (app, { deps, publicUrl }) => {
  app.addHook('onRequest', requireCaller);
  const view = (row: Parameters<typeof channelView>[0]) => channelView(row, publicUrl);

  app.get(
    '/channels',
    { schema: { tags: ['channels'], summary: "The workspace's channels", response: { 200: z.object({ channels: z.array(channelSchema) }), ...authenticatedErrors } } },
    async (request) => ({ channels: (await listChannels(deps, callerOf(request).workspaceId)).map(view) }),
  );

  app.get(
    '/channels/:id',
    { schema: { tags: ['channels'], summary: 'One channel, with its webhook address', params: z.object({ id }), response: { 200: z.object({ channel: channelSchema }), ...authenticatedErrors } } },
    async (request) => ({ channel: view(await getChannel(deps, callerOf(request).workspaceId, request.params.id)) }),
  );

  app.post(
    '/channels',
    {
      onRequest: requireAdmin,
      schema: { tags: ['channels'], summary: 'Connect a channel (admin)', body: newChannel, response: { 201: z.object({ channel: channelSchema }), ...adminErrors } },
    },
    async (request, reply) => {
      const channel = await createChannel(deps, callerOf(request).workspaceId, request.body);
      request.log.info({ channelId: channel.id, kind: channel.kind, actorUserId: personOf(callerOf(request)).userId }, 'channel connected');
      return reply.code(201).send({ channel: view(channel) });
    },
  );

  app.patch(
    '/channels/:id',
    {
      onRequest: requireAdmin,
      schema: {
        tags: ['channels'],
        summary: 'Rename, reconfigure, switch on or off, or replace the secrets of a channel (admin)',
        params: z.object({ id }),
        body: channelChange,
        response: { 200: z.object({ channel: channelSchema }), ...adminErrors },
      },
    },
    async (request) => {
      const channel = await updateChannel(deps, callerOf(request).workspaceId, request.params.id, request.body);
      request.log.info({ channelId: channel.id, enabled: channel.enabled === 1, actorUserId: personOf(callerOf(request)).userId }, 'channel updated');
      return { channel: view(channel) };
    },
  );

  app.get(
    '/channels/:id/templates',
    {
      schema: {
        tags: ['channels'],
        summary: "A WhatsApp channel's message templates with their parameters; only approved ones are usable",
        params: z.object({ id }),
        querystring: z.strictObject({ usable: z.enum(['true', 'false']).optional() }),
        response: { 200: z.object({ templates: z.array(templateSchema) }), ...authenticatedErrors, 422: errorResponse },
      },
    },
    async (request) => ({ templates: await listTemplates(deps, callerOf(request).workspaceId, request.params.id, { usableOnly: request.query.usable === 'true' }) }),
  );

  app.post(
    '/channels/:id/templates/sync',
    {
      onRequest: requireAdmin,
      schema: {
        tags: ['channels'],
        summary: "Sync a WhatsApp channel's templates from its Business Account now (admin); ones no longer listed become DELETED",
        params: z.object({ id }),
        response: {
          200: z.object({ synced: z.number(), removed: z.number(), syncedAt: z.number(), templates: z.array(templateSchema) }),
          ...authenticatedErrors,
          422: errorResponse,
        },
      },
    },
    async (request) => {
      const { workspaceId, userId } = personOf(callerOf(request));
      const result = await syncTemplates(deps, workspaceId, request.params.id);
      request.log.info({ channelId: request.params.id, synced: result.synced, removed: result.removed, actorUserId: userId }, 'templates synced');
      return { ...result, templates: await listTemplates(deps, workspaceId, request.params.id) };
    },
  );
};
