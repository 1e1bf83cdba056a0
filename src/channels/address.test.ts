import { describe, expect, it } from 'vitest';
import { normalizeEmailAddress } from './email/address.js';
import { normalizeInstagramAddress } from './instagram/address.js';
import { channelRules } from './registry.js';
import { normalizeWhatsappAddress } from './whatsapp/address.js';

describe('WhatsApp address normalization', () => {
  it.each([
    ['15550102030', '15550102030'],
    ['+1 (555) 010-2030', '15550102030'],
    ['  +44 20 7946 0958  ', '442079460958'],
    ['12345', '12345'],
    ['12345678901234567890', '12345678901234567890'],
  ])('keeps only the digits of "%s" -> %s', (raw, expected) => {
    expect(normalizeWhatsappAddress(raw)).toBe(expected);
  });

  it('treats "+1 (555) 010-2030" and "15550102030" as one person', () => {
    expect(normalizeWhatsappAddress('+1 (555) 010-2030')).toBe(normalizeWhatsappAddress('15550102030'));
  });

  it.each([
    ['', 'empty'],
    ['abc', 'no digits'],
    ['+1 23-4', 'fewer than 5 digits'],
    ['123456789012345678901', 'more than 20 digits'],
  ])('refuses "%s" (%s)', (raw) => {
    expect(normalizeWhatsappAddress(raw)).toBeNull();
  });
});

describe('email address normalization', () => {
  it.each([
    ['ana@example.com', 'ana@example.com'],
    ['Ana@Example.COM ', 'ana@example.com'],
    ['  BOB.Smith+tag@Mail.Example.org\n', 'bob.smith+tag@mail.example.org'],
  ])('lower-cases and trims "%s" -> %s', (raw, expected) => {
    expect(normalizeEmailAddress(raw)).toBe(expected);
  });

  it('treats "Ana@Example.COM " and "ana@example.com" as one person', () => {
    expect(normalizeEmailAddress('Ana@Example.COM ')).toBe(normalizeEmailAddress('ana@example.com'));
  });

  it.each([
    ['', 'empty'],
    ['ana', 'no @'],
    ['ana@example', 'no dot in the domain'],
    ['ana smith@example.com', 'a space inside'],
    ['Ana <ana@example.com>', 'a display name'],
    ['ana@@example.com', 'two @'],
  ])('refuses "%s" (%s)', (raw) => {
    expect(normalizeEmailAddress(raw)).toBeNull();
  });
});

describe('Instagram address normalization', () => {
  it.each([
    ['17841400000000001', '17841400000000001'],
    ['  17841400000000001 ', '17841400000000001'],
    ['1', '1'],
    ['1'.repeat(40), '1'.repeat(40)],
  ])('trims the Instagram-scoped id "%s" -> %s', (raw, expected) => {
    expect(normalizeInstagramAddress(raw)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['ana.insta', 'a username'],
    ['+17841400000000001', 'a sign'],
    ['1784 1400', 'a space inside'],
    ['1'.repeat(41), 'more than 40 digits'],
  ])('refuses "%s" (%s)', (raw) => {
    expect(normalizeInstagramAddress(raw)).toBeNull();
  });
});

describe('channel registry', () => {
  it.each([
    ['whatsapp', normalizeWhatsappAddress, true],
    ['instagram', normalizeInstagramAddress, false],
    ['email', normalizeEmailAddress, true],
  ] as const)('%s uses its own address normalizer; address carries across channels: %s', (kind, normalizer, carries) => {
    const rules = channelRules(kind);
    expect(rules.kind).toBe(kind);
    expect(rules.normalizeAddress).toBe(normalizer);
    expect(rules.addressCarriesAcrossChannels).toBe(carries);
  });
});
