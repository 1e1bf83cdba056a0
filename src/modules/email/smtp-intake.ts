// Our SMTP listener wired to the store: it takes mail for the workspace's support addresses and stores it
// before answering the sending server.
import { startSmtpListener, type SmtpListener } from '../../channels/email/smtp-listener.js';
import type { Logger } from '../../lib/logger.js';
import type { Deps } from '../deps.js';
import { isEmailRecipient, storeSmtpMail } from './receive-email.js';

export interface SmtpIntakeOptions {
  host: string;
  port: number;
  maxBytes: number;
}

/** Starts the listener; close() stops it. `onStored` is told when mail was stored, to process it at once. */
export function startSmtpIntake(deps: Pick<Deps, 'store' | 'clock'>, options: SmtpIntakeOptions, logger: Logger, onStored?: () => void): Promise<SmtpListener> {
  return startSmtpListener({
    ...options,
    acceptsRecipient: (address) => isEmailRecipient(deps, address),
    store: async (raw, envelope) => {
      const ids = await storeSmtpMail(deps, raw, envelope.recipients);
      logger.info({ payloadIds: ids, bytes: raw.length }, 'mail received by SMTP');
      onStored?.();
    },
    onStoreError: (error) => logger.error({ err: error }, 'storing mail received by SMTP failed; the sender was told to retry'),
  });
}
