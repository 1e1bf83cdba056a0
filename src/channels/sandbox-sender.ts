// The sandbox provider: channels in sandbox mode deliver here instead of to Meta or a mail server, so a
// demo workspace works end to end with nothing configured. The simulator shows what was "sent".
import { randomUUID } from 'node:crypto';
import type { ChannelSender } from './types.js';

/** Accepts every message and answers with a sandbox provider id. */
export const sandboxSender: ChannelSender = {
  async send() {
    return { ok: true, providerMessageId: `sandbox.${randomUUID()}` };
  },
};
