import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { signMetaPayload, verifyMetaSignature, verifyTokenMatches } from './signature.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../test/fixtures/channels');
const SECRET = 'fake_app_secret_for_tests';
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

describe('Meta webhook signatures (channels.md §1.2 test vectors)', () => {
  it('the WhatsApp text fixture verifies over its exact bytes, escapes included', () => {
    const header = 'sha256=a1f33f0afe352f6ebb4ff67c910f6372dcd22ee0f9f4767a8dc0d721b4129b0a';
    expect(verifyMetaSignature(fixture('whatsapp-text.json'), header, SECRET)).toBe(true);
    expect(signMetaPayload(fixture('whatsapp-text.json'), SECRET)).toBe(header);
  });

  it('the same payload re-serialized from parsed JSON does not verify', () => {
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(fixture('whatsapp-text.json').toString('utf8'))));
    expect(signMetaPayload(reserialized, SECRET)).toBe('sha256=184c133396bacece034bde9175312acedac66a0b1d5d8de4c640e865b6df2e35');
    expect(verifyMetaSignature(reserialized, 'sha256=a1f33f0afe352f6ebb4ff67c910f6372dcd22ee0f9f4767a8dc0d721b4129b0a', SECRET)).toBe(false);
  });

  it('the Instagram DM fixture verifies', () => {
    expect(verifyMetaSignature(fixture('instagram-dm.json'), 'sha256=89e8d52f6dda39a78fe7803342a896b4914c9c5c4ec698e817a751555e026c0d', SECRET)).toBe(true);
  });

  it('a missing, malformed, truncated or wrongly keyed signature does not verify', () => {
    const raw = fixture('whatsapp-text.json');
    const good = signMetaPayload(raw, SECRET);
    for (const header of [undefined, null, '', 'sha1=abc', good.slice(0, -2), `${good}00`, 'sha256=zz' + good.slice(9), signMetaPayload(raw, 'another secret')]) {
      expect(verifyMetaSignature(raw, header, SECRET)).toBe(false);
    }
    expect(verifyMetaSignature(raw, good, '')).toBe(false);
  });

  it('verify tokens match only exactly', () => {
    expect(verifyTokenMatches('tbv_abc', 'tbv_abc')).toBe(true);
    expect(verifyTokenMatches('tbv_abd', 'tbv_abc')).toBe(false);
    expect(verifyTokenMatches('tbv_ab', 'tbv_abc')).toBe(false);
  });
});
