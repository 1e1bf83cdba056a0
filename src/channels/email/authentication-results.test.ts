import { describe, expect, it } from 'vitest';
import { authenticationResultsValues, leadingAuthservId, parseAuthenticationResults, readHeaderLines } from './authentication-results.js';

describe('Authentication-Results header (RFC 8601)', () => {
  it('reads the authserv-id, each method with its result, properties and comments', () => {
    expect(
      parseAuthenticationResults(
        'mx.google.com; dkim=pass header.i=@customer.example header.s=20230601 header.b=Ab12+/Cd=; spf=pass (google.com: domain of jane@customer.example designates 192.0.2.10 as permitted sender) smtp.mailfrom=jane@customer.example; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=customer.example',
      ),
    ).toEqual({
      authservId: 'mx.google.com',
      results: [
        { method: 'dkim', result: 'pass', reason: null, properties: { 'header.i': '@customer.example', 'header.s': '20230601', 'header.b': 'Ab12+/Cd=' }, comments: [] },
        {
          method: 'spf',
          result: 'pass',
          reason: null,
          properties: { 'smtp.mailfrom': 'jane@customer.example' },
          comments: ['google.com: domain of jane@customer.example designates 192.0.2.10 as permitted sender'],
        },
        { method: 'dmarc', result: 'pass', reason: null, properties: { 'header.from': 'customer.example' }, comments: ['p=REJECT sp=REJECT dis=NONE'] },
      ],
    });
  });

  it('keeps every clause of a repeated method', () => {
    const parsed = parseAuthenticationResults('mx.example; dkim=pass header.d=a.example; dkim=fail header.d=b.example');
    expect(parsed?.results.map((r) => [r.method, r.result, r.properties['header.d']])).toEqual([
      ['dkim', 'pass', 'a.example'],
      ['dkim', 'fail', 'b.example'],
    ]);
  });

  it('accepts a version, method versions, reasons, quoted values, nested comments, odd spacing and case, and a trailing semicolon', () => {
    const parsed = parseAuthenticationResults('"mx.example" 1; DKIM/1 = Pass reason="good sig; ok" header.d = customer.example (a (nested) comment) ; spf=fail smtp.mailfrom="x\\"y"@customer.example;');
    expect(parsed).toEqual({
      authservId: 'mx.example',
      results: [
        { method: 'dkim', result: 'pass', reason: 'good sig; ok', properties: { 'header.d': 'customer.example' }, comments: ['a (nested) comment'] },
        { method: 'spf', result: 'fail', reason: null, properties: { 'smtp.mailfrom': 'x"y@customer.example' }, comments: [] },
      ],
    });
  });

  it('reads "none", a server saying it checked nothing', () => {
    expect(parseAuthenticationResults('mx.example; none')).toEqual({ authservId: 'mx.example', results: [] });
  });

  it("reads Microsoft 365's form: no authserv-id, and properties written as clauses of their own", () => {
    const parsed = parseAuthenticationResults('spf=pass (sender IP is 192.0.2.10) smtp.mailfrom=customer.example; dkim=pass (signature was verified); header.d=customer.example;dmarc=pass action=none; header.from=customer.example;compauth=pass reason=100');
    expect(parsed?.authservId).toBeNull();
    expect(parsed?.results.map((r) => [r.method, r.result, r.properties])).toEqual([
      ['spf', 'pass', { 'smtp.mailfrom': 'customer.example' }],
      ['dkim', 'pass', { 'header.d': 'customer.example' }],
      ['dmarc', 'pass', { action: 'none', 'header.from': 'customer.example' }],
      ['compauth', 'pass', {}],
    ]);
  });

  it.each([
    ['an empty value', ''],
    ['a clause without "="', 'mx.example; dmarc'],
    ['a clause without a result', 'mx.example; dmarc='],
    ['a property without a value separator', 'mx.example; spf=pass smtp.mailfrom'],
    ['results not separated by ";"', 'mx.example dkim=pass'],
    ['an unterminated comment', 'mx.example; dkim=pass (2048-bit key'],
    ['an unterminated quoted string', 'mx.example; dkim=pass reason="oops'],
  ])('refuses %s', (_case, value) => {
    expect(parseAuthenticationResults(value)).toBeNull();
  });

  it('reads the leading authserv-id even when the rest is broken', () => {
    expect(leadingAuthservId('MX.Example (Postfix); dmarc')).toBe('mx.example');
    expect(leadingAuthservId('spf=pass smtp.mailfrom=customer.example')).toBeNull();
  });

  it('collects every Authentication-Results of a raw message in order, unfolded, and none from its body', () => {
    const raw = Buffer.from(
      ['Authentication-Results: top.example;', ' dmarc=pass header.from=a.example', 'Received: from x', 'authentication-results: lower.example; none', '', 'Authentication-Results: body.example; none'].join('\r\n'),
    );
    expect(readHeaderLines(raw).map((h) => h.key)).toEqual(['authentication-results', 'received', 'authentication-results']);
    expect(authenticationResultsValues(raw)).toEqual(['top.example; dmarc=pass header.from=a.example', 'lower.example; none']);
  });
});
