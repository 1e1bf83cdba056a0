import { beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../../test/support/clock.js';
import { dkimSigned, dnsZone, signingKey, type SigningKey } from '../../../test/support/mail-authentication.js';
import type { RawHeaderLine } from './authentication-results.js';
import { authenticateSender, verdictFromAuthenticationResults, type DnsResolver, type SmtpEnvelope } from './sender-authentication.js';

// Addresses from the documentation ranges (RFC 5737): the customer's own mail server, their mail
// provider's, and a stranger's.
const CUSTOMER_SERVER = '192.0.2.10';
const PROVIDER_SERVER = '198.51.100.20';
const ATTACKER_SERVER = '203.0.113.66';

const clock = new TestClock();

let customerKey: SigningKey;
let attackerKey: SigningKey;

beforeAll(() => {
  customerKey = signingKey('customer.example', 'mail');
  attackerKey = signingKey('attacker.example', 'evil');
});

const zone = dnsZone;


function internet(failing: string[] = []): DnsResolver {
  return zone(
    {
      [`TXT ${customerKey.selector}._domainkey.customer.example`]: customerKey.dnsRecord,
      'TXT _dmarc.customer.example': 'v=DMARC1; p=reject; rua=mailto:dmarc@customer.example',
      'TXT customer.example': `v=spf1 ip4:${CUSTOMER_SERVER} -all`,
      'TXT provider.example': `v=spf1 ip4:${PROVIDER_SERVER} -all`,
      [`TXT ${attackerKey.selector}._domainkey.attacker.example`]: attackerKey.dnsRecord,
      'TXT attacker.example': `v=spf1 ip4:${ATTACKER_SERVER} -all`,
      // A small business that publishes SPF but no DMARC policy.
      'TXT nodmarc.example': `v=spf1 ip4:${CUSTOMER_SERVER} -all`,
    },
    failing,
  );
}

function message(from: string, body = 'My order A-1001 has not arrived.'): Buffer {
  return Buffer.from(
    [`From: ${from}`, 'To: help@brand.example', 'Subject: Order A-1001', 'Date: Wed, 25 Nov 2026 12:00:00 +0000', 'Message-ID: <m1@mail.customer.example>', '', body, ''].join('\r\n'),
  );
}

const signed = (raw: Buffer, key: SigningKey) => dkimSigned(raw, key, clock.now());

const check = (raw: Buffer, envelope: SmtpEnvelope, failing: string[] = []) => authenticateSender(raw, envelope, { resolver: internet(failing), mta: 'mx.brand.example' });

describe('checking the sender of mail we receive', () => {
  it('verifies mail DKIM-signed by the From domain, even when it left through a mail provider', async () => {
    const raw = await signed(message('Jane <jane@customer.example>'), customerKey);
    const verdict = await check(raw, { clientIp: PROVIDER_SERVER, helo: 'out.provider.example', mailFrom: 'bounces+jane@provider.example' });
    expect(verdict).toMatchObject({
      verdict: 'verified',
      dmarc: 'pass',
      dkim: 'pass',
      dkimDomain: 'customer.example',
      spf: 'pass',
      spfDomain: 'provider.example',
      arc: 'none',
      fromDomain: 'customer.example',
      dmarcPolicy: 'reject',
      aligned: true,
      reportedBy: null,
    });
    expect(verdict.summary).toBe('DMARC passed for customer.example: the message carries a valid DKIM signature of customer.example.');
  });

  it('does not verify a forged From: DKIM and SPF pass only for the forger\'s domain, and DMARC with p=reject fails', async () => {
    const raw = await signed(message('Jane <jane@customer.example>', 'Please send the refund to this new account.'), attackerKey);
    const verdict = await check(raw, { clientIp: ATTACKER_SERVER, helo: 'mail.attacker.example', mailFrom: 'x@attacker.example' });
    expect(verdict).toMatchObject({
      verdict: 'unverified',
      dmarc: 'fail',
      dkim: 'pass',
      dkimDomain: 'attacker.example',
      spf: 'pass',
      spfDomain: 'attacker.example',
      fromDomain: 'customer.example',
      dmarcPolicy: 'reject',
      aligned: false,
    });
    expect(verdict.summary).toBe(
      "DMARC failed for customer.example: neither SPF nor DKIM matched the sender's domain. It was authenticated only for attacker.example. The domain asks receivers to reject such mail.",
    );
  });

  it('verifies unsigned mail whose envelope sender the From domain\'s SPF authorises (aligned SPF pass)', async () => {
    const verdict = await check(message('jane@customer.example'), { clientIp: CUSTOMER_SERVER, helo: 'mail.customer.example', mailFrom: 'jane@customer.example' });
    expect(verdict).toMatchObject({ verdict: 'verified', dmarc: 'pass', spf: 'pass', spfDomain: 'customer.example', dkim: 'none', dkimDomain: null, aligned: true });
    expect(verdict.summary).toBe('DMARC passed for customer.example: SPF allowed the sending server to send for customer.example.');
  });

  it('does not verify a message whose signed body was changed on the way', async () => {
    const raw = await signed(message('jane@customer.example'), customerKey);
    const tampered = Buffer.from(raw.toString().replace('has not arrived', 'arrived broken'));
    const verdict = await check(tampered, { clientIp: PROVIDER_SERVER, helo: 'out.provider.example', mailFrom: 'bounces@provider.example' });
    expect(verdict).toMatchObject({ verdict: 'unverified', dmarc: 'fail', dkim: 'neutral', dkimDomain: 'customer.example', aligned: false });
  });

  describe('a From domain without a DMARC record (rule: the domain asks nothing of receivers, so only a pass confirms the sender and nothing marks it forged)', () => {
    it('verifies it when SPF passes for the From domain', async () => {
      const verdict = await check(message('owner@nodmarc.example'), { clientIp: CUSTOMER_SERVER, helo: 'mail.nodmarc.example', mailFrom: 'owner@nodmarc.example' });
      expect(verdict).toMatchObject({ verdict: 'verified', dmarc: 'none', dmarcPolicy: null, spf: 'pass', aligned: true });
      expect(verdict.summary).toBe('The domain nodmarc.example publishes no DMARC policy, but SPF allowed the sending server to send for nodmarc.example.');
    });

    it('leaves it unconfirmed, not forged, when nothing passed for the From domain', async () => {
      const verdict = await check(message('owner@nodmarc.example'), { clientIp: ATTACKER_SERVER, helo: 'mail.attacker.example', mailFrom: 'x@attacker.example' });
      expect(verdict).toMatchObject({ verdict: 'unknown', dmarc: 'none', dmarcPolicy: null, spf: 'pass', spfDomain: 'attacker.example', aligned: false });
      expect(verdict.summary).toBe("The domain nodmarc.example publishes no DMARC policy, and neither SPF nor DKIM matched the sender's domain, so the sender could not be confirmed. It was authenticated only for attacker.example.");
    });
  });

  describe('temporary DNS failures leave the sender unknown, not unverified', () => {
    it('when the DMARC policy cannot be fetched', async () => {
      const raw = await signed(message('jane@customer.example'), customerKey);
      const verdict = await check(raw, { clientIp: CUSTOMER_SERVER, helo: 'mail.customer.example', mailFrom: 'jane@customer.example' }, ['TXT _dmarc.customer.example']);
      expect(verdict).toMatchObject({ verdict: 'unknown', dmarc: 'temperror', aligned: false });
      expect(verdict.summary).toBe('The sender customer.example could not be checked: the DNS lookup of its DMARC policy failed temporarily.');
    });

    it("when the From domain's own DKIM key cannot be fetched, although DMARC then reports fail", async () => {
      const raw = await signed(message('jane@customer.example'), customerKey);
      const verdict = await check(raw, { clientIp: PROVIDER_SERVER, helo: 'out.provider.example', mailFrom: 'bounces@provider.example' }, [`TXT ${customerKey.selector}._domainkey.customer.example`]);
      expect(verdict).toMatchObject({ verdict: 'unknown', dmarc: 'fail', dkim: 'temperror', dkimDomain: 'customer.example' });
      expect(verdict.summary).toBe('The sender customer.example could not be checked: the DNS lookup of the DKIM key of customer.example failed temporarily.');
    });

    it("but a failing lookup of the forger's own records does not rescue a forged From", async () => {
      const raw = await signed(message('jane@customer.example'), attackerKey);
      const verdict = await check(raw, { clientIp: ATTACKER_SERVER, helo: 'mail.attacker.example', mailFrom: 'x@attacker.example' }, [
        `TXT ${attackerKey.selector}._domainkey.attacker.example`,
        'TXT attacker.example',
      ]);
      expect(verdict).toMatchObject({ verdict: 'unverified', dmarc: 'fail', dkim: 'temperror', spf: 'temperror' });
    });
  });

  it('does not verify a message naming several From addresses, which DMARC cannot vouch for', async () => {
    const verdict = await check(message('jane@customer.example, mallory@attacker.example'), { clientIp: CUSTOMER_SERVER, helo: 'mail.customer.example', mailFrom: 'jane@customer.example' });
    expect(verdict).toMatchObject({ verdict: 'unverified', fromDomain: null, dmarc: 'none' });
    expect(verdict.summary).toMatch(/several From addresses/);
  });

  it('does not verify a message without a From address', async () => {
    const raw = Buffer.from('To: help@brand.example\r\nSubject: hello\r\n\r\nhi\r\n');
    const verdict = await check(raw, { clientIp: CUSTOMER_SERVER, helo: 'mail.customer.example', mailFrom: 'jane@customer.example' });
    expect(verdict).toMatchObject({ verdict: 'unverified', fromDomain: null });
    expect(verdict.summary).toBe('The message has no From address to check, so its sender is unverified.');
  });

  it('leaves SPF unchecked without a connecting address, and still verifies by DKIM', async () => {
    const raw = await signed(message('jane@customer.example'), customerKey);
    const verdict = await check(raw, { clientIp: null, helo: null, mailFrom: null });
    expect(verdict).toMatchObject({ verdict: 'verified', spf: 'none', spfDomain: null, dkim: 'pass', dmarc: 'pass' });
  });
});

const authResults = (...values: string[]): RawHeaderLine[] => values.map((value) => ({ key: 'authentication-results', line: `Authentication-Results: ${value}` }));
const MAILBOX = 'mx.mailbox.example';

describe("reading the receiving server's Authentication-Results (IMAP)", () => {
  it('verifies what the trusted server reports as passing DMARC', () => {
    const verdict = verdictFromAuthenticationResults(
      authResults(
        `${MAILBOX}; dkim=pass (2048-bit key) header.d=customer.example header.s=mail header.b=Ab12Cd34; spf=pass (${MAILBOX}: domain of jane@customer.example designates ${CUSTOMER_SERVER} as permitted sender) smtp.mailfrom=jane@customer.example; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=customer.example`,
      ),
      [MAILBOX],
    );
    expect(verdict).toEqual({
      spf: 'pass',
      spfDomain: 'customer.example',
      dkim: 'pass',
      dkimDomain: 'customer.example',
      dmarc: 'pass',
      arc: 'none',
      fromDomain: 'customer.example',
      dmarcPolicy: 'reject',
      aligned: true,
      verdict: 'verified',
      summary: "DMARC passed for customer.example: both a DKIM signature and SPF matched the sender's domain. Checked by mx.mailbox.example.",
      reportedBy: MAILBOX,
    });
  });

  it('does not verify a DMARC failure, and names the domain that did authenticate', () => {
    const verdict = verdictFromAuthenticationResults(
      authResults(`${MAILBOX}; dkim=pass header.i=@attacker.example; spf=pass smtp.mailfrom=x@attacker.example; dmarc=fail (p=QUARANTINE sp=NONE dis=QUARANTINE) header.from=customer.example`),
      [MAILBOX],
    );
    expect(verdict).toMatchObject({ verdict: 'unverified', dmarc: 'fail', dmarcPolicy: 'quarantine', dkimDomain: 'attacker.example', aligned: false });
    expect(verdict.summary).toBe(
      "DMARC failed for customer.example: neither SPF nor DKIM matched the sender's domain. It was authenticated only for attacker.example. The domain asks receivers to treat such mail as suspicious. Checked by mx.mailbox.example.",
    );
  });

  it('ignores a header from a server that is not trusted, however favourable', () => {
    const verdict = verdictFromAuthenticationResults(
      authResults(`relay.elsewhere.example; dmarc=pass header.from=customer.example`, `${MAILBOX}; spf=fail smtp.mailfrom=jane@customer.example; dmarc=fail (p=REJECT) header.from=customer.example`),
      [MAILBOX],
    );
    expect(verdict).toMatchObject({ verdict: 'unverified', dmarc: 'fail', reportedBy: MAILBOX });
  });

  it('is unknown when only untrusted servers reported', () => {
    const verdict = verdictFromAuthenticationResults(authResults('mx.attacker.example; dmarc=pass header.from=customer.example'), [MAILBOX]);
    expect(verdict).toMatchObject({ verdict: 'unknown', reportedBy: null });
    expect(verdict.summary).toBe('No Authentication-Results header comes from a trusted server (mx.mailbox.example), so the sender could not be checked.');
  });

  it("reads the top-most of the trusted server's headers: one below it may have been written by the sender", () => {
    const verdict = verdictFromAuthenticationResults(
      authResults(`${MAILBOX}; dmarc=fail (p=REJECT) header.from=customer.example`, `${MAILBOX}; dkim=pass header.d=customer.example; dmarc=pass header.from=customer.example`),
      [MAILBOX],
    );
    expect(verdict).toMatchObject({ verdict: 'unverified', dmarc: 'fail' });
  });

  it('reads the top-most header when no server is named as trusted', () => {
    const verdict = verdictFromAuthenticationResults(
      authResults(`mx.any.example; spf=pass smtp.mailfrom=jane@customer.example; dmarc=pass header.from=customer.example`, `${MAILBOX}; dmarc=fail header.from=customer.example`),
      [],
    );
    expect(verdict).toMatchObject({ verdict: 'verified', reportedBy: 'mx.any.example' });
  });

  it('matches the trusted authserv-id without regard to case', () => {
    const verdict = verdictFromAuthenticationResults(authResults('MX.Mailbox.Example; dmarc=pass header.from=customer.example'), ['mx.mailbox.EXAMPLE']);
    expect(verdict).toMatchObject({ verdict: 'verified', reportedBy: MAILBOX });
  });

  it.each([
    ['a clause without a result', `${MAILBOX}; dmarc`],
    ['a missing separator', `${MAILBOX} dmarc=pass header.from=customer.example`],
    ['an unterminated comment', `${MAILBOX}; dmarc=pass (p=REJECT header.from=customer.example`],
    ['a result word nobody defines', `${MAILBOX}; dmarc=excellent header.from=customer.example`],
  ])('is unknown when the trusted header is malformed (%s), rather than falling back to a lower one', (_case, value) => {
    const verdict = verdictFromAuthenticationResults(authResults(value, `${MAILBOX}; dmarc=pass header.from=customer.example`), [MAILBOX]);
    expect(verdict).toMatchObject({ verdict: 'unknown', reportedBy: MAILBOX });
    expect(verdict.summary).toBe('The Authentication-Results header from mx.mailbox.example could not be read, so the sender could not be checked.');
  });

  it('is unknown when the message carries no Authentication-Results at all', () => {
    const verdict = verdictFromAuthenticationResults([{ key: 'subject', line: 'Subject: hello' }], [MAILBOX]);
    expect(verdict).toMatchObject({ verdict: 'unknown' });
    expect(verdict.summary).toBe('The message carries no Authentication-Results header, so its sender could not be checked.');
  });

  it('is unknown when the trusted server did not evaluate DMARC', () => {
    const verdict = verdictFromAuthenticationResults(authResults(`${MAILBOX}; spf=pass smtp.mailfrom=jane@customer.example`), [MAILBOX]);
    expect(verdict).toMatchObject({ verdict: 'unknown', spf: 'pass' });
  });

  it('is unknown when the trusted server could not fetch the DMARC policy', () => {
    const verdict = verdictFromAuthenticationResults(authResults(`${MAILBOX}; dmarc=temperror header.from=customer.example`), [MAILBOX]);
    expect(verdict).toMatchObject({ verdict: 'unknown', dmarc: 'temperror' });
  });

  it("judges a domain without DMARC record by the MAIL FROM's SPF result, not the HELO name's", () => {
    const verdict = verdictFromAuthenticationResults(
      authResults(`${MAILBOX}; spf=none smtp.helo=mail.nodmarc.example; spf=pass smtp.mailfrom=owner@nodmarc.example; dkim=none; dmarc=none header.from=nodmarc.example`),
      [MAILBOX],
    );
    expect(verdict).toMatchObject({ verdict: 'verified', spf: 'pass', spfDomain: 'nodmarc.example', dmarc: 'none', aligned: true });
  });

  it('reads the headers straight from the raw message, folded lines included', () => {
    const raw = Buffer.from(
      [
        `Authentication-Results: ${MAILBOX};`,
        '\tdkim=pass header.d=customer.example;',
        '\tdmarc=pass (p=NONE',
        '\t dis=NONE) header.from=customer.example',
        'From: jane@customer.example',
        '',
        'Authentication-Results: in.body.example; dmarc=fail header.from=customer.example',
        '',
      ].join('\r\n'),
    );
    expect(verdictFromAuthenticationResults(raw, [MAILBOX])).toMatchObject({ verdict: 'verified', dmarcPolicy: 'none', dkimDomain: 'customer.example' });
  });

  it('reads a Microsoft 365 header, which omits the authserv-id, when no server is named as trusted', () => {
    const verdict = verdictFromAuthenticationResults(
      authResults('spf=pass (sender IP is 192.0.2.10) smtp.mailfrom=customer.example; dkim=pass (signature was verified) header.d=customer.example;dmarc=pass action=none header.from=customer.example;compauth=pass reason=100'),
      [],
    );
    expect(verdict).toMatchObject({ verdict: 'verified', spfDomain: 'customer.example', dkimDomain: 'customer.example', reportedBy: null });
  });
});
