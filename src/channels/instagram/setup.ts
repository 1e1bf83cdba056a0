// Connecting an Instagram professional account: its account id routes webhooks, and the access token
// and app secret authenticate both directions.
import { z } from 'zod';
import { commentRulesSchema } from '../comment-rules-settings.js';
import type { ChannelSetup } from '../types.js';

export const instagramSetup: ChannelSetup = {
  sandboxAccount: (channelId) => `sandbox-${channelId}`,
  accountField: 'instagramAccountId',
  settings: z.strictObject({
    instagramAccountId: z.string().trim().regex(/^\d{5,25}$/, 'the numeric Instagram account id').optional(),
    username: z.string().trim().max(64).optional(),
    /** Whether an unsent message's content stays visible to admins for audits. */
    keepUnsentContent: z.boolean().optional(),
    /** Where the Graph API answers (a local fake in tests and the sandbox) and which version to speak. */
    graphBaseUrl: z.url().optional(),
    graphApiVersion: z.string().regex(/^v\d+\.\d+$/, 'a Graph API version like v23.0').optional(),
    /** Which comments open tickets; the defaults (domain/comment-rules.ts) until an admin saves some. */
    commentRules: commentRulesSchema.optional(),
  }),
  secrets: z.strictObject({
    accessToken: z.string().trim().min(20).max(4096),
    appSecret: z.string().trim().min(16).max(256),
  }),
  requiredSecrets: ['accessToken', 'appSecret'],
  webhookPath: '/webhooks/instagram',
};
