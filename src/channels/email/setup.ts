// Connecting a support address: mail for it arrives by our SMTP listener, IMAP or HTTP, and replies
// leave through the SMTP server configured here.
import { z } from 'zod';
import type { ChannelSetup } from '../types.js';

const host = z.string().trim().min(1).max(253);
const port = z.number().int().min(1).max(65535);

export const emailSetup: ChannelSetup = {
  accountField: 'address',
  settings: z.strictObject({
    address: z.string().trim().max(320).optional(),
    fromName: z.string().trim().max(200).optional(),
    smtp: z.strictObject({ host, port, secure: z.boolean().default(false), username: z.string().max(320).optional() }).optional(),
    imap: z.strictObject({ host, port, secure: z.boolean().default(true), username: z.string().max(320), mailbox: z.string().max(200).default('INBOX') }).optional(),
  }),
  secrets: z.strictObject({
    smtpPassword: z.string().min(1).max(1024),
    imapPassword: z.string().min(1).max(1024),
  }),
  requiredSecrets: [],
  webhookPath: null,
};
