// Outgoing requests to URLs an admin typed in (webhooks, a channel's Graph base URL) must not reach this
// server's own network: a metadata service at 169.254.169.254, the database on 127.0.0.1:5432. The check is
// made on the address actually connected to: a host name is resolved when the connection opens, every
// address it resolves to is checked, and the connection goes to one of those very addresses, so a name
// pointing at 127.0.0.1, or a DNS answer that changes between a check and the request, is refused too.
// IP literals (also those a redirect names) are checked before connecting. PRIVATE_OUTBOUND_URLS=allow
// turns all of this off (tests, a private network of your own).
import dns from 'node:dns';
import type { LookupFunction, Socket } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { classifyAddress, describeAddressKind, type AddressKind } from './private-address.js';

/** The addresses a host name resolves to (dns.lookup by default: /etc/hosts, then DNS). */
export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true });

/** A request that would have reached a non-public address; nothing was sent. */
export class PrivateAddressError extends Error {
  readonly code = 'URL_NOT_ALLOWED';
  readonly host: string;
  readonly address: string;
  readonly kind: Exclude<AddressKind, 'public'>;

  constructor(host: string, address: string, kind: Exclude<AddressKind, 'public'>) {
    const where = host === address ? `${address} is ${describeAddressKind(kind)} address` : `${host} resolves to ${describeAddressKind(kind)} address (${address})`;
    super(`${where}, and requests to private networks are refused (PRIVATE_OUTBOUND_URLS=refuse).`);
    this.name = 'PrivateAddressError';
    this.host = host;
    this.address = address;
    this.kind = kind;
  }
}

const bracketless = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** The refusal for an address, or null when it is public. */
function refusalFor(host: string, address: string): PrivateAddressError | null {
  const kind = classifyAddress(address);
  return kind === 'public' ? null : new PrivateAddressError(host, address, kind === 'invalid' ? 'reserved' : kind);
}

/** A `lookup` for net/tls.connect that fails when any address of the name is not public. */
export function guardedLookup(resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        for (const { address } of found) {
          const refused = refusalFor(hostname, address);
          if (refused) return callback(refused, '');
        }
        const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
        const usable = family ? found.filter((entry) => entry.family === family) : found;
        const first = usable[0];
        if (!first) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '');
        if (options.all) return callback(null, usable);
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

/**
 * An undici dispatcher whose every connection is checked: IP literals before connecting, names through
 * `guardedLookup`, and the socket's remote address once connected (closed at once if it is not public).
 */
export function createGuardedDispatcher(resolve: Resolve = systemResolve): Agent {
  const connect = buildConnector({ lookup: guardedLookup(resolve), timeout: 10_000 });
  return new Agent({
    connect(options, callback) {
      const host = bracketless(options.hostname);
      if (classifyAddress(host) !== 'invalid') {
        const refused = refusalFor(host, host);
        if (refused) return callback(refused, null);
      }
      connect(options, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('no connection'), null);
        const remote = (socket as Socket).remoteAddress;
        const refused = remote ? refusalFor(host, remote) : null;
        if (refused) {
          socket.destroy();
          return callback(refused, null);
        }
        return callback(null, socket);
      });
    },
  });
}

let shared: Agent | undefined;

/** The process's guarded dispatcher, made on first use and kept (it pools connections like fetch's own). */
function guardedDispatcher(): Agent {
  shared ??= createGuardedDispatcher();
  return shared;
}

/** The PrivateAddressError behind a failed fetch, if that is why it failed. */
export function privateAddressRefusal(error: unknown): PrivateAddressError | null {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof PrivateAddressError) return e;
  }
  return null;
}

export interface OutboundOptions {
  /** PRIVATE_OUTBOUND_URLS=allow, or a sandbox channel talking to its local fake: no check at all. */
  allowPrivate: boolean;
}

/**
 * fetch, for a URL an admin gave: unless `allowPrivate`, a request that would reach a non-public address
 * is never sent and rejects with PrivateAddressError (other failures reject as fetch's do).
 */
export async function outboundFetch(url: string | URL, init: RequestInit, options: OutboundOptions): Promise<Response> {
  if (options.allowPrivate) return fetch(url, init);
  const host = bracketless(new URL(url).hostname);
  const literal = classifyAddress(host) === 'invalid' ? null : refusalFor(host, host);
  if (literal) throw literal;
  try {
    // undici's own fetch with its own Agent: Node's built-in fetch may bundle another undici major.
    return (await undiciFetch(url, { ...init, dispatcher: guardedDispatcher() } as Parameters<typeof undiciFetch>[1])) as unknown as Response;
  } catch (error) {
    throw privateAddressRefusal(error) ?? error;
  }
}

/**
 * Where a URL's host leads, checked when an admin saves it: the refusal when it is (or resolves to) a
 * non-public address, null when every address is public or the name does not resolve now (a name that
 * resolves later is checked again on every request), or when it is no URL (left to the caller's validation).
 */
export async function checkOutboundUrl(url: string, resolve: Resolve = systemResolve, timeoutMs = 5_000): Promise<PrivateAddressError | null> {
  // Not a URL at all: the caller's own validation refuses it.
  if (!URL.canParse(url)) return null;
  const host = bracketless(new URL(url).hostname);
  if (classifyAddress(host) !== 'invalid') return refusalFor(host, host);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((done) => {
    timer = setTimeout(() => done(null), timeoutMs);
  });
  try {
    const found = await Promise.race([resolve(host), timeout]);
    for (const { address } of found ?? []) {
      const refused = refusalFor(host, address);
      if (refused) return refused;
    }
    return null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
