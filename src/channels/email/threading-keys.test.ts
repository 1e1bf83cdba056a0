import { describe, expect, it } from 'vitest';
import { baseAddress, baseSubject, bounceAddress, normalizeMessageIds, outgoingMessageId, outgoingSubject, readBounceToken, readReplyTokens, readSubjectToken, replyAddress, tagMatches, ticketTag } from './threading-keys.js';

const ticket = { number: 123, id: '0194f1a2-7c3b-7def-8a12-3456789abcde' };

describe('email threading keys', () => {
  it('a reply address carries the ticket number and a tag only the ticket id gives', () => {
    const address = replyAddress('Support@Brand.test', ticket);
    expect(address).toBe(`support+t-123.${ticketTag(ticket.id)}@brand.test`);
    const [token] = readReplyTokens(['someone@else.test', address.toUpperCase()], 'support@brand.test');
    expect(token).toEqual({ ticketNumber: 123, tag: ticketTag(ticket.id) });
    expect(tagMatches(token!.tag, ticket.id)).toBe(true);
    expect(tagMatches(token!.tag, '0194f1a2-7c3b-7def-8a12-000000000000')).toBe(false);
  });

  it('reads tokens only from sub-addresses of the support address itself', () => {
    expect(readReplyTokens([`other+t-123.${ticketTag(ticket.id)}@brand.test`, `support+t-123.${ticketTag(ticket.id)}@other.test`], 'support@brand.test')).toEqual([]);
    expect(readReplyTokens(['support+t-123.k7f2@brand.test', 'support@brand.test'], 'support@brand.test')).toEqual([]);
  });

  it('a bounce address names the message it was sent for', () => {
    const address = bounceAddress('support@brand.test', ticket.id);
    expect(address).toBe(`support+b-${ticket.id}@brand.test`);
    expect(readBounceToken([address], 'support@brand.test')).toBe(ticket.id);
    expect(readBounceToken(['support@brand.test'], 'support@brand.test')).toBeNull();
  });

  it.each([
    ['Re: [#123] Order late', 123],
    ['RE: AW: [#T-45] Order late', 45],
    ['Order late', null],
    ['[#abc] Order late', null],
  ])('the subject %j has the ticket token %s', (subject, number) => {
    expect(readSubjectToken(subject)).toBe(number);
  });

  it('an outgoing subject keeps the ticket subject, has the token once, and "Re:" once', () => {
    expect(outgoingSubject('Order late', 7, false)).toBe('[#7] Order late');
    expect(outgoingSubject('Re: RE: Fwd: [#7] Order late', 7, true)).toBe('Re: [#7] Order late');
    expect(outgoingSubject(null, 7, true)).toBe('Re: [#7] Your request');
    expect(baseSubject('Re[2]: AW: Order late')).toBe('Order late');
  });

  it('our Message-ID is stable for a message and made on the support domain', () => {
    expect(outgoingMessageId(5, 'abc', 'support@brand.test')).toBe('<t-5.m-abc@brand.test>');
  });

  it('normalizes Message-ID headers to bracketed ids in order', () => {
    expect(normalizeMessageIds(['<a@x>', '<b@y>'])).toEqual(['<a@x>', '<b@y>']);
    expect(normalizeMessageIds('<a@x>\r\n <b@y> junk')).toEqual(['<a@x>', '<b@y>']);
    expect(normalizeMessageIds(undefined)).toEqual([]);
  });

  it('the base of a sub-address is the support address', () => {
    expect(baseAddress('Support+t-1.ab@Brand.test')).toBe('support@brand.test');
  });
});
