// A WhatsApp channel's account as the Graph client needs it: where Graph answers (Meta, or a local fake
// in tests and the sandbox), which version to speak, and the bearer token.
import type { ChannelAccount } from '../types.js';

export { graphAccountOf, hasOwnGraphBaseUrl } from '../meta/graph-account.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The business number messages go out from. */
export function phoneNumberIdOf(account: ChannelAccount): string {
  return text(account.settings.phoneNumberId) ?? account.accountId;
}

/** The WhatsApp Business Account that owns the number's templates, if set. */
export function businessAccountIdOf(account: ChannelAccount): string | undefined {
  return text(account.settings.businessAccountId);
}
