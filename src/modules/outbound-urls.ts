// URLs admins give for outgoing requests (a webhook's URL, a live channel's Graph base URL) are checked when
// saved, so a mistake or an attempt at the server's own network is refused at once with a clear reason. The
// requests themselves are checked again on the address they connect to (lib/outbound-guard.ts).
import { DomainError } from '../domain/errors.js';
import { checkOutboundUrl } from '../lib/outbound-guard.js';
import type { Deps } from './deps.js';

/**
 * Refuses with 422 URL_NOT_ALLOWED a URL that is, or resolves to, a private, loopback, link-local or other
 * non-public address, unless PRIVATE_OUTBOUND_URLS=allow. `field` names it in the answer (`url`).
 */
export async function requirePublicUrl(deps: Pick<Deps, 'allowPrivateOutboundUrls'>, url: string, field: string): Promise<void> {
  if (deps.allowPrivateOutboundUrls) return;
  const refused = await checkOutboundUrl(url);
  if (!refused) return;
  throw new DomainError({
    code: 'URL_NOT_ALLOWED',
    message: `${field} is not allowed: ${refused.message} Use a public address, or set PRIVATE_OUTBOUND_URLS=allow to reach a private network of your own.`,
    details: { field, host: refused.host, address: refused.address, kind: refused.kind },
  });
}
