// Mail whose sender can be checked without the internet: DKIM keys made in the test, signatures made
// with mailauth's signer, and DNS answered from an in-memory zone.
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import type { DnsResolver } from '../../src/channels/adapter.js';

export interface SigningKey {
  domain: string;
  selector: string;
  privateKey: string;
  /** The TXT record publishing the public key at `<selector>._domainkey.<domain>`. */
  dnsRecord: string;
}

export function signingKey(domain: string, selector: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    domain,
    selector,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    dnsRecord: `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  };
}

/** The zone's TXT record name for a key. */
export const dkimRecordName = (key: SigningKey) => `TXT ${key.selector}._domainkey.${key.domain}`;

/**
 * A DNS zone served from memory: records by `"<type> <name>"`. Names listed in `failing` answer
 * SERVFAIL (a temporary failure); others missing answer ENOTFOUND, as Node's resolver does.
 */
export function dnsZone(records: Record<string, string>, failing: string[] = []): DnsResolver {
  return async (name, type) => {
    const key = `${type} ${name.toLowerCase()}`;
    if (failing.includes(key)) throw Object.assign(new Error(`query${type} ESERVFAIL ${name}`), { code: 'ESERVFAIL' });
    const record = records[key];
    if (record === undefined) throw Object.assign(new Error(`query${type} ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    // TXT answers come as chunks; long records are split into 255-byte strings.
    return [record.match(/.{1,255}/g) ?? ['']];
  };
}

/** The message with a DKIM signature of the key's domain on top, signed at `signedAt`. */
export async function dkimSigned(raw: Buffer, key: SigningKey, signedAt: number): Promise<Buffer> {
  // mailauth's signer reads the keys from signatureData; its typings also ask for them at the top level.
  const signature = { signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey };
  const { signatures, errors } = await dkimSign(raw, { ...signature, signatureData: [signature], signTime: new Date(signedAt) });
  if (errors.length > 0) throw new Error(`signing failed: ${JSON.stringify(errors)}`);
  return Buffer.concat([Buffer.from(signatures), raw]);
}
