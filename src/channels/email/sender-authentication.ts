// Whether an inbound email really comes from the domain its From names: SPF, DKIM, DMARC and ARC as mailauth
// checks them for mail we receive ourselves, or as the receiving server reported them in its
// Authentication-Results header for mail we fetch over IMAP; both read into one verdict an agent can follow.
import { authenticate, type AuthenticateResult, type DNSResolver } from 'mailauth';
import type { SenderAuthenticity } from '../../domain/sender-trust.js';
import { authenticationResultsValues, leadingAuthservId, parseAuthenticationResults, type MethodResult, type RawHeaderLine } from './authentication-results.js';

/** A check's outcome, in RFC 8601 terms. */
export type AuthCheckResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror';

/** What the From domain asks receivers to do with mail that fails DMARC. */
export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface SenderVerdict {
  spf: AuthCheckResult;
  /** The domain SPF was checked for (the MAIL FROM's, or the HELO name's for a bounce); null when not checked. */
  spfDomain: string | null;
  /** The most telling of the message's DKIM signatures (a pass before a failure, the From's domain first). */
  dkim: AuthCheckResult;
  /** The signing domain (d=) of that signature; null when the message is not signed. */
  dkimDomain: string | null;
  dmarc: AuthCheckResult;
  /** The ARC chain's state. Reported only: trusting a chain needs a list of trusted sealers, which we do not keep. */
  arc: AuthCheckResult;
  /** The domain of the From address; null when the message has none, or several. */
  fromDomain: string | null;
  /** The From domain's DMARC policy (its subdomain policy for a subdomain); null when it publishes none. */
  dmarcPolicy: DmarcPolicy | null;
  /** SPF or DKIM passed for the From's own domain. */
  aligned: boolean;
  verdict: SenderAuthenticity;
  /** One or two plain sentences for the agent: what was found and why it matters. */
  summary: string;
  /** Who checked: the authserv-id of the Authentication-Results header read, or null when we checked. */
  reportedBy: string | null;
}

/** A DNS lookup as mailauth makes it: TXT answers as string chunks. It must fail with Node's dns error codes. */
export type DnsResolver = DNSResolver;

export interface SmtpEnvelope {
  /** The connecting client's address; null when the mail did not reach us over SMTP. */
  clientIp: string | null;
  helo: string | null;
  /** The MAIL FROM address; null (or empty) for a bounce's null sender. */
  mailFrom: string | null;
}

export interface SenderAuthenticationOptions {
  /** Answers DNS questions; Node's resolver when absent. Tests pass an in-memory zone. */
  resolver?: DnsResolver;
  /** Our host name, as written into Received-SPF comments; the OS host name when absent. */
  mta?: string;
}

/**
 * Checks the sender of a raw message received over SMTP: SPF for the envelope, every DKIM signature, ARC, and
 * DMARC as mailauth evaluates it. Never throws: a message that cannot be checked at all is unverified, since
 * its sender controls its bytes and must not gain trust by breaking the checker.
 */
export async function authenticateSender(raw: Buffer, envelope: SmtpEnvelope, options: SenderAuthenticationOptions = {}): Promise<SenderVerdict> {
  let checked: AuthenticateResult;
  try {
    checked = await authenticate(raw, {
      ip: envelope.clientIp ?? undefined,
      helo: envelope.helo ?? undefined,
      sender: envelope.mailFrom || undefined,
      mta: options.mta,
      resolver: options.resolver,
      // BIMI fetches logos and certificates over HTTPS; it says nothing about whether the sender is genuine.
      disableBimi: true,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ...NOT_CHECKED, verdict: 'unverified', summary: `The message could not be checked (${reason}), so its sender is treated as unverified.` };
  }
  return judgeSender(evidenceFromMailauth(checked, envelope));
}

/**
 * The verdict of the server that received an IMAP mailbox's mail, from the top-most Authentication-Results header
 * whose authserv-id is trusted (or the top-most at all when the list is empty). The server writes its header on
 * top of any the sender forged, so lower headers are never read in its stead; a trusted header that cannot be
 * parsed leaves the sender unknown.
 */
export function verdictFromAuthenticationResults(headers: Buffer | readonly RawHeaderLine[], trustedAuthservIds: readonly string[]): SenderVerdict {
  const values = authenticationResultsValues(headers);
  if (values.length === 0) {
    return { ...NOT_CHECKED, summary: 'The message carries no Authentication-Results header, so its sender could not be checked.' };
  }
  const trusted = new Set(trustedAuthservIds.map((id) => id.trim().toLowerCase()));
  const value = trusted.size === 0 ? values[0] : values.find((v) => trusted.has(leadingAuthservId(v) ?? ''));
  if (value === undefined) {
    return { ...NOT_CHECKED, summary: `No Authentication-Results header comes from a trusted server (${[...trusted].join(', ')}), so the sender could not be checked.` };
  }
  const report = parseAuthenticationResults(value);
  if (!report) {
    const writer = leadingAuthservId(value);
    return { ...NOT_CHECKED, reportedBy: writer, summary: `The Authentication-Results header${writer ? ` from ${writer}` : ''} could not be read, so the sender could not be checked.` };
  }
  const evidence = evidenceFromReport(report.results);
  const reportedBy = report.authservId;
  if (!evidence) {
    return { ...NOT_CHECKED, reportedBy, summary: `The Authentication-Results header${reportedBy ? ` from ${reportedBy}` : ''} could not be read, so the sender could not be checked.` };
  }
  const verdict = judgeSender(evidence);
  return { ...verdict, reportedBy, summary: reportedBy ? `${verdict.summary} Checked by ${reportedBy}.` : verdict.summary };
}

const NOT_CHECKED: SenderVerdict = {
  spf: 'none',
  spfDomain: null,
  dkim: 'none',
  dkimDomain: null,
  dmarc: 'none',
  arc: 'none',
  fromDomain: null,
  dmarcPolicy: null,
  aligned: false,
  verdict: 'unknown',
  summary: '',
  reportedBy: null,
};

// ---------------------------------------------------------------------------------------------------------------
// What both paths find, and the one rule that judges it.

interface DomainCheck {
  result: AuthCheckResult;
  domain: string | null;
  /** Set when the checker already knows whether the domain aligns with the From (mailauth does, by public suffix list). */
  aligned?: boolean;
}

interface SenderEvidence {
  /** How many From addresses the message names; null when the report does not say. */
  fromAddresses: number | null;
  fromDomain: string | null;
  spf: DomainCheck;
  dkim: DomainCheck[];
  /** Null when DMARC was not evaluated at all. */
  dmarc: { result: AuthCheckResult; policy: DmarcPolicy | null } | null;
  arc: AuthCheckResult;
}

/**
 * The verdict, by one rule:
 * - DMARC pass: verified. DMARC fail: unverified, unless a DNS lookup that could have made it pass (the From
 *   domain's own DKIM key or SPF record) failed temporarily: then unknown.
 * - DMARC temperror, or no DMARC result at all: unknown.
 * - No DMARC record (or an unreadable one): the domain asks nothing of receivers, but whether the message is
 *   its own is still a fact: an SPF or DKIM pass for the From's domain makes it verified, nothing aligned
 *   makes it unverified (a temporary failure of an aligned lookup, unknown again).
 * ARC is reported but never rescues a failure: any forwarder can seal a chain, and we keep no list of
 * forwarders to believe.
 */
function judgeSender(evidence: SenderEvidence): SenderVerdict {
  const { fromDomain, spf, dkim, dmarc } = evidence;
  const shownDkim = mostTellingSignature(dkim, fromDomain);
  const base: SenderVerdict = {
    ...NOT_CHECKED,
    spf: spf.result,
    spfDomain: spf.domain,
    dkim: shownDkim?.result ?? 'none',
    dkimDomain: shownDkim?.domain ?? null,
    dmarc: dmarc?.result ?? 'none',
    arc: evidence.arc,
    fromDomain,
    dmarcPolicy: dmarc?.policy ?? null,
  };
  if (evidence.fromAddresses !== null && evidence.fromAddresses > 1) {
    return { ...base, fromDomain: null, verdict: 'unverified', summary: 'The message names several From addresses; DMARC can only vouch for a single sender, so it is unverified.' };
  }
  if (evidence.fromAddresses !== null && !fromDomain) {
    return { ...base, fromDomain: null, verdict: 'unverified', summary: 'The message has no From address to check, so its sender is unverified.' };
  }
  if (!dmarc) {
    return { ...base, verdict: 'unknown', summary: 'No DMARC result was reported for the message, so its sender could not be checked.' };
  }
  if (!fromDomain) {
    return { ...base, verdict: 'unknown', summary: "The DMARC result does not name the sender's domain, so the sender could not be checked." };
  }

  const alignedChecks = [spf, ...dkim].filter((check) => alignsWithFrom(check, fromDomain));
  const alignedPass = alignedChecks.filter((check) => check.result === 'pass');
  const alignedTemporaryFailure = [spf, ...dkim].find((check) => check.result === 'temperror' && alignsWithFrom(check, fromDomain));
  const unknownBecauseOf = (what: string): SenderVerdict => ({ ...base, verdict: 'unknown', summary: `The sender ${fromDomain} could not be checked: ${what} failed temporarily.` });
  const lookupOf = (check: DomainCheck) => (check === spf ? `the DNS lookup of the SPF record of ${check.domain}` : `the DNS lookup of the DKIM key of ${check.domain}`);

  switch (dmarc.result) {
    case 'pass':
      return { ...base, aligned: true, verdict: 'verified', summary: `DMARC passed for ${fromDomain}: ${howAligned(alignedPass, spf, fromDomain)}.` };
    case 'fail':
      if (alignedTemporaryFailure) return unknownBecauseOf(lookupOf(alignedTemporaryFailure));
      return {
        ...base,
        verdict: 'unverified',
        summary: sentences(`DMARC failed for ${fromDomain}: neither SPF nor DKIM matched the sender's domain.`, authenticatedElsewhere(spf, dkim, fromDomain), policySentence(dmarc.policy)),
      };
    case 'temperror':
      return unknownBecauseOf(`the DNS lookup of its DMARC policy`);
    default: {
      const noPolicy = dmarc.result === 'permerror' ? `The DMARC record of ${fromDomain} could not be read` : `The domain ${fromDomain} publishes no DMARC policy`;
      if (alignedPass.length > 0) {
        return { ...base, aligned: true, verdict: 'verified', summary: `${noPolicy}, but ${howAligned(alignedPass, spf, fromDomain)}.` };
      }
      if (alignedTemporaryFailure) return unknownBecauseOf(lookupOf(alignedTemporaryFailure));
      // Without a policy the domain does not say its mail is always authenticated: many small domains
      // send unsigned mail. Only a failed DMARC policy marks a From as forged; this one is not confirmed.
      return { ...base, verdict: 'unknown', summary: sentences(`${noPolicy}, and neither SPF nor DKIM matched the sender's domain, so the sender could not be confirmed.`, authenticatedElsewhere(spf, dkim, fromDomain)) };
    }
  }
}

function howAligned(alignedPass: DomainCheck[], spf: DomainCheck, fromDomain: string): string {
  const bySpf = alignedPass.includes(spf);
  const signature = alignedPass.find((check) => check !== spf);
  if (bySpf && signature) return `both a DKIM signature and SPF matched the sender's domain`;
  if (signature) return `the message carries a valid DKIM signature of ${signature.domain ?? fromDomain}`;
  if (bySpf) return `SPF allowed the sending server to send for ${spf.domain ?? fromDomain}`;
  return `SPF or DKIM matched the sender's domain`;
}

/** Names the domains that did pass, so the agent sees who really sent the message. */
function authenticatedElsewhere(spf: DomainCheck, dkim: DomainCheck[], fromDomain: string): string {
  const domains = [...new Set([spf, ...dkim].filter((check) => check.result === 'pass' && check.domain && !alignsWithFrom(check, fromDomain)).map((check) => check.domain))];
  if (domains.length === 0) return '';
  return `It was authenticated only for ${domains.join(' and ')}.`;
}

function policySentence(policy: DmarcPolicy | null): string {
  if (policy === 'reject') return 'The domain asks receivers to reject such mail.';
  if (policy === 'quarantine') return 'The domain asks receivers to treat such mail as suspicious.';
  return '';
}

function sentences(...parts: string[]): string {
  return parts.filter(Boolean).join(' ');
}

/** A pass before a temporary failure before a failure; among equals, the From's own domain first. */
function mostTellingSignature(dkim: DomainCheck[], fromDomain: string | null): DomainCheck | undefined {
  const rank: AuthCheckResult[] = ['pass', 'temperror', 'fail', 'permerror', 'softfail', 'neutral', 'none'];
  const aligned = (check: DomainCheck) => (fromDomain && alignsWithFrom(check, fromDomain) ? 0 : 1);
  return [...dkim].sort((a, b) => rank.indexOf(a.result) - rank.indexOf(b.result) || aligned(a) - aligned(b))[0];
}

/**
 * Whether a checked domain is the From's: mailauth's answer when it gave one (relaxed alignment by the public
 * suffix list), otherwise the same domain or one inside the other. The latter misses sibling subdomains
 * (mail.example.com for news.example.com), which only makes a verdict stricter.
 */
function alignsWithFrom(check: DomainCheck, fromDomain: string): boolean {
  if (check.aligned !== undefined) return check.aligned;
  const domain = check.domain;
  if (!domain) return false;
  return domain === fromDomain || domain.endsWith(`.${fromDomain}`) || fromDomain.endsWith(`.${domain}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading mailauth's findings.

function evidenceFromMailauth(checked: AuthenticateResult, envelope: SmtpEnvelope): SenderEvidence {
  const fromAddresses = checked.dkim.headerFrom.map((address) => address.toLowerCase());
  const fromDomain = fromAddresses.length === 1 ? domainOf(fromAddresses[0]!) : null;
  const spf: DomainCheck =
    checked.spf && envelope.clientIp
      ? {
          result: normalizedResult(checked.spf.status.result) ?? 'neutral',
          domain: checked.spf.domain.toLowerCase() || null,
          // DMARC names the domain SPF aligned with; without a DMARC record, alignsWithFrom decides.
          aligned: checked.dmarc && checked.dmarc.alignment?.spf.result ? true : undefined,
        }
      : // Without the connecting address there is nothing for SPF to compare; mailauth would report neutral.
        { result: 'none', domain: null };
  const dkim: DomainCheck[] = checked.dkim.results
    .filter((signature) => signature.signingDomain)
    .map((signature) => ({
      result: normalizedResult(signature.status.result) ?? 'neutral',
      domain: signature.signingDomain.toLowerCase(),
      aligned: Boolean(signature.status.aligned),
    }));
  const dmarc = checked.dmarc ? { result: normalizedResult(checked.dmarc.status.result) ?? 'neutral', policy: dmarcPolicyOf(checked.dmarc.policy) } : null;
  return {
    fromAddresses: fromAddresses.length,
    fromDomain,
    spf,
    dkim,
    dmarc,
    arc: checked.arc ? (normalizedResult(checked.arc.status.result) ?? 'neutral') : 'none',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a receiving server's report.

const CHECKED_METHODS = new Set(['spf', 'dkim', 'dmarc', 'arc']);

/** Null when a result of a method the verdict rests on is not a known result word. */
function evidenceFromReport(results: MethodResult[]): SenderEvidence | null {
  const relevant = results.filter((r) => CHECKED_METHODS.has(r.method));
  const normalized = relevant.map((r) => ({ ...r, normalized: normalizedResult(r.result) }));
  if (normalized.some((r) => r.normalized === null)) return null;
  const of = (method: string) => normalized.filter((r) => r.method === method);

  const dmarcClause = of('dmarc')[0];
  const fromDomain = dmarcClause ? domainOf(dmarcClause.properties['header.from'] ?? '') : null;
  // A server may report SPF for both the HELO name and the MAIL FROM; the MAIL FROM's is the one DMARC uses.
  const spfClauses = of('spf');
  const spfClause = spfClauses.find((r) => r.properties['smtp.mailfrom']) ?? spfClauses[0];
  const spf: DomainCheck = spfClause
    ? { result: spfClause.normalized!, domain: domainOf(spfClause.properties['smtp.mailfrom'] ?? spfClause.properties['smtp.helo'] ?? '') }
    : { result: 'none', domain: null };
  const dkim: DomainCheck[] = of('dkim').map((r) => ({ result: r.normalized!, domain: domainOf(r.properties['header.d'] ?? r.properties['header.i'] ?? '') }));
  return {
    fromAddresses: null,
    fromDomain,
    spf,
    dkim,
    dmarc: dmarcClause ? { result: dmarcClause.normalized!, policy: reportedDmarcPolicy(dmarcClause) } : null,
    arc: of('arc')[0]?.normalized ?? 'none',
  };
}

/** Servers write the policy as a property (`policy.dmarc=reject`) or in a comment (`(p=REJECT sp=NONE dis=NONE)`). */
function reportedDmarcPolicy(clause: MethodResult): DmarcPolicy | null {
  const property = clause.properties['policy.dmarc'] ?? clause.properties['policy.published-domain-policy'];
  if (property) return dmarcPolicyOf(property);
  for (const comment of clause.comments) {
    const match = /(?:^|\s)p=(\w+)/i.exec(comment);
    if (match) return dmarcPolicyOf(match[1]);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------

/** mailauth's and other writers' result words, in RFC 8601 terms; null for a word we do not know. */
function normalizedResult(value: string | undefined): AuthCheckResult | null {
  switch ((value ?? '').trim().toLowerCase()) {
    case 'pass':
      return 'pass';
    case 'fail':
    case 'hardfail':
    case 'policy': // a valid signature refused by local policy (mailauth: a key shorter than allowed) proves nothing
      return 'fail';
    case 'softfail':
      return 'softfail';
    case 'neutral':
      return 'neutral';
    case 'none':
    case 'skipped':
    case 'bestguesspass': // Microsoft's word for "no DMARC record, but it would have passed"
      return 'none';
    case 'temperror':
    case 'temperr':
      return 'temperror';
    case 'permerror':
    case 'permerr':
      return 'permerror';
    default:
      return null;
  }
}

function dmarcPolicyOf(value: string | undefined): DmarcPolicy | null {
  const policy = (value ?? '').trim().toLowerCase();
  return policy === 'none' || policy === 'quarantine' || policy === 'reject' ? policy : null;
}

/** The domain of an address (`jane@example.com`, `@example.com`) or a bare domain, lower case. */
function domainOf(value: string): string | null {
  const domain = value.trim().replace(/^<|>$/g, '').split('@').pop()!.trim().toLowerCase().replace(/\.$/, '');
  return domain || null;
}
