// Connecting a WhatsApp Business number: its phone number id routes webhooks, the business account
// id lists templates, and the access token and app secret authenticate both directions.
import { z } from 'zod';
import type { ChannelSetup } from '../types.js';

const graphId = z.string().trim().regex(/^\d{5,25}$/, 'a numeric id from the WhatsApp Manager');

export const whatsappSetup: ChannelSetup = {
  sandboxAccount: (channelId) => `sandbox-${channelId}`,
  accountField: 'phoneNumberId',
  settings: z.strictObject({
    phoneNumberId: graphId.optional(),
    businessAccountId: graphId.optional(),
    displayPhoneNumber: z.string().trim().max(32).optional(),
    /** Where the Graph API answers (a local fake in tests and the sandbox) and which version to speak. */
    graphBaseUrl: z.url().optional(),
    graphApiVersion: z.string().regex(/^v\d+\.\d+$/, 'a Graph API version like v23.0').optional(),
    /** Meta allows 80 messages a second per number by default; higher tiers allow more. */
    sendRatePerSecond: z.number().int().min(1).max(1000).optional(),
  }),
  secrets: z.strictObject({
    accessToken: z.string().trim().min(20).max(4096),
    appSecret: z.string().trim().min(16).max(256),
  }),
  requiredSecrets: ['accessToken', 'appSecret'],
  webhookPath: '/webhooks/whatsapp',
};
