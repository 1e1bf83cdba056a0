// Which IP addresses an outgoing request to an admin-given URL may reach: only public unicast ones. Private,
// loopback, link-local, unique-local, carrier-grade NAT, unspecified, multicast and reserved ranges are
// refused, and so is an IPv6 address that embeds a refused IPv4 one (IPv4-mapped, NAT64, 6to4). Pure: the
// resolving and connecting side is outbound-guard.ts.
import ipaddr from 'ipaddr.js';

/** What an address is; anything but `public` is refused unless PRIVATE_OUTBOUND_URLS=allow. */
export type AddressKind =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'unique-local'
  | 'carrier-grade-nat'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  /** Not an IP address at all (a host name, or a malformed literal). */
  | 'invalid';

const IPV4_KINDS: Record<string, AddressKind> = {
  unicast: 'public',
  // Public anycast services (AS112 DNS sinks, AMT relays), not private networks.
  as112: 'public',
  amt: 'public',
  private: 'private',
  loopback: 'loopback',
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade-nat',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

const IPV6_KINDS: Record<string, AddressKind> = {
  unicast: 'public',
  as112v6: 'public',
  amt: 'public',
  loopback: 'loopback',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
  // fec0::/10, deprecated but still routed inside some networks.
  deprecatedSiteLocal: 'private',
};

// Global unicast IPv6 is 2000::/3; everything outside it that no rule above names is reserved.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
// NAT64's well-known prefix carries an IPv4 address in its last 32 bits (RFC 6052).
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
const SIX_TO_FOUR = ipaddr.IPv6.parseCIDR('2002::/16');

/** Drops URL brackets and an IPv6 zone id: `[fe80::1%eth0]` → `fe80::1`. */
function bare(address: string): string {
  const unbracketed = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zone = unbracketed.indexOf('%');
  return zone === -1 ? unbracketed : unbracketed.slice(0, zone);
}

function classifyV4(address: ipaddr.IPv4): AddressKind {
  return IPV4_KINDS[address.range()] ?? 'reserved';
}

const embeddedV4 = (parts: number[], at: number) => new ipaddr.IPv4([parts[at]! >> 8, parts[at]! & 0xff, parts[at + 1]! >> 8, parts[at + 1]! & 0xff]);

function classifyV6(address: ipaddr.IPv6): AddressKind {
  // ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (IPv4-translated) reach the IPv4 address itself.
  if (address.isIPv4MappedAddress()) return classifyV4(address.toIPv4Address());
  if (address.range() === 'rfc6145') return classifyV4(embeddedV4(address.parts, 6));
  if (address.match(NAT64_WELL_KNOWN)) return classifyV4(embeddedV4(address.parts, 6));
  if (address.match(SIX_TO_FOUR)) return classifyV4(embeddedV4(address.parts, 1));
  const kind = IPV6_KINDS[address.range()];
  if (kind && kind !== 'public') return kind;
  return kind === 'public' && address.match(GLOBAL_UNICAST_V6) ? 'public' : 'reserved';
}

/** Classifies an IP address (IPv4 dotted quad, IPv6 with or without brackets and zone id). */
export function classifyAddress(address: string): AddressKind {
  const ip = bare(address.trim());
  if (ipaddr.IPv4.isValidFourPartDecimal(ip)) return classifyV4(ipaddr.IPv4.parse(ip));
  if (ipaddr.IPv6.isValid(ip)) return classifyV6(ipaddr.IPv6.parse(ip));
  return 'invalid';
}

/** Whether a host (as a URL gives it) is an IP literal rather than a name to resolve. */
export function isIpLiteral(host: string): boolean {
  return classifyAddress(host) !== 'invalid';
}

const DESCRIPTIONS: Record<Exclude<AddressKind, 'public'>, string> = {
  private: 'a private',
  loopback: 'a loopback',
  'link-local': 'a link-local',
  'unique-local': 'a unique-local',
  'carrier-grade-nat': 'a carrier-grade NAT',
  unspecified: 'an unspecified',
  multicast: 'a multicast',
  broadcast: 'a broadcast',
  reserved: 'a reserved',
  invalid: 'an invalid',
};

/** "a loopback", "an unspecified"…: for sentences about a refused address. */
export function describeAddressKind(kind: Exclude<AddressKind, 'public'>): string {
  return DESCRIPTIONS[kind];
}
