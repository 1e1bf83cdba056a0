// Connecting a support address: mail for it arrives by our SMTP listener, IMAP or HTTP, and replies
// leave through the SMTP server configured here.
import { z } from 'zod';
import { THREADING_MODES, type ThreadingMode } from '../../domain/reply-threading.js';
import { SENDER_VERIFICATION_MODES, type SenderVerificationMode } from '../../domain/sender-trust.js';
import type { ChannelSetup } from '../types.js';
import { normalizeEmailAddress } from './address.js';

const host = z.string().trim().min(1).max(253);
const port = z.number().int().min(1).max(65535);

/** What a channel does with mail whose sender fails verification when the admin has not chosen (domain/sender-trust.ts). */
export const DEFAULT_SENDER_VERIFICATION: SenderVerificationMode = 'mark';

export const emailSetup: ChannelSetup = {
  accountField: 'address',
  normalizeAccount: normalizeEmailAddress,
  // The simulator's mail must reach it: an address, on a domain that is never delivered to.
  sandboxAccount: (channelId) => `sandbox-${channelId.toLowerCase()}@sandbox.threadbox.test`,
  settings: z.strictObject({
    address: z.string().trim().max(320).optional(),
    fromName: z.string().trim().max(200).optional(),
    smtp: z.strictObject({ host, port, secure: z.boolean().default(false), username: z.string().max(320).optional() }).optional(),
    imap: z
      .strictObject({
        host,
        port,
        secure: z.boolean().default(true),
        username: z.string().max(320),
        mailbox: z.string().max(200).default('INBOX'),
        // The mailbox server's authserv-id(s), as its Authentication-Results headers start; a sender can forge
        // such a header too, so naming the server's id keeps us from reading theirs.
        trustedAuthservIds: z.array(z.string().trim().toLowerCase().min(1).max(253)).max(20).optional(),
      })
      .optional(),
    // Optional rather than .default(): a PATCH parses settings with .partial(), and Zod applies a default to a
    // missing field even then, so every unrelated change would reset an admin's choice. Read it with
    // senderVerificationOf(), which supplies the default (also for channels saved before the setting existed).
    senderVerification: z.enum(SENDER_VERIFICATION_MODES).optional(),
    // By sender (the default, read with threadingModeOf): a customer's mail joins their active ticket. By
    // conversation: mail on a new subject that answers none of ours starts a ticket of its own.
    threading: z.enum(THREADING_MODES).optional(),
  }),
  secrets: z.strictObject({
    smtpPassword: z.string().min(1).max(1024),
    imapPassword: z.string().min(1).max(1024),
  }),
  requiredSecrets: [],
  webhookPath: null,
};

/** The channel's sender verification mode, 'mark' unless the admin chose another. */
export function senderVerificationOf(settings: Record<string, unknown>): SenderVerificationMode {
  const chosen = settings.senderVerification;
  return SENDER_VERIFICATION_MODES.find((mode) => mode === chosen) ?? DEFAULT_SENDER_VERIFICATION;
}

/** How the channel threads a customer's mail: by sender unless the admin chose by conversation. */
export function threadingModeOf(settings: Record<string, unknown>): ThreadingMode {
  return THREADING_MODES.find((mode) => mode === settings.threading) ?? 'sender';
}
