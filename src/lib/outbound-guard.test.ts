// The guard against requests to private addresses, against a real listener on 127.0.0.1: a refused request
// never reaches it. Only loopback is ever connected to; other addresses are only resolved and classified.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOutboundUrl, createGuardedDispatcher, guardedLookup, outboundFetch, PrivateAddressError, type Resolve } from './outbound-guard.js';

const answers = (...addresses: string[]) => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('outbound guard', () => {
  let server: http.Server;
  let port = 0;
  const received: http.IncomingHttpHeaders[] = [];

  beforeEach(async () => {
    received.length = 0;
    server = http.createServer((request, response) => {
      received.push(request.headers);
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const withToken = { headers: { authorization: 'Bearer secret-token' } };

  it.each(['127.0.0.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]'])('refuses the literal %s before connecting, and sends nothing', async (host) => {
    const error = await outboundFetch(`http://${host}:${port}/x`, withToken, { allowPrivate: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrivateAddressError);
    expect((error as PrivateAddressError).kind).toBe('loopback');
    expect((error as PrivateAddressError).code).toBe('URL_NOT_ALLOWED');
    expect(received).toHaveLength(0);
  });

  it('refuses a name that resolves to loopback (localhost), checked when connecting', async () => {
    const error = await outboundFetch(`http://localhost:${port}/x`, withToken, { allowPrivate: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrivateAddressError);
    expect((error as PrivateAddressError).message).toMatch(/^localhost resolves to a loopback address \((127\.0\.0\.1|::1)\)/);
    expect(received).toHaveLength(0);
  });

  it('reaches the same listener when private addresses are allowed', async () => {
    const response = await outboundFetch(`http://127.0.0.1:${port}/x`, withToken, { allowPrivate: true });
    expect(await response.text()).toBe('ok');
    expect(received).toHaveLength(1);
  });

  it('a DNS answer that turns private after the URL was checked is refused on the connection itself', async () => {
    let calls = 0;
    // First answer public (the check when saving), then loopback (rebinding, when the request connects).
    const rebinding: Resolve = async () => (calls++ === 0 ? answers('93.184.216.34') : answers('127.0.0.1'));
    expect(await checkOutboundUrl(`http://rebind.example:${port}/x`, rebinding)).toBeNull();
    const dispatcher = createGuardedDispatcher(rebinding);
    try {
      const error = await fetch(`http://rebind.example:${port}/x`, { ...withToken, dispatcher } as RequestInit).catch((e: unknown) => e);
      expect((error as Error).cause).toBeInstanceOf(PrivateAddressError);
      expect(((error as Error).cause as PrivateAddressError).message).toContain('rebind.example resolves to a loopback address (127.0.0.1)');
    } finally {
      await dispatcher.close();
    }
    expect(calls).toBe(2);
    expect(received).toHaveLength(0);
  });

  it('a name is refused when any one of its addresses is private', async () => {
    const lookup = guardedLookup(async () => answers('93.184.216.34', '127.0.0.1'));
    const result = await new Promise<{ error: Error | null; address: string | LookupAddress[] }>((resolve) => lookup('mixed.example', { all: true }, (error, address) => resolve({ error, address })));
    expect(result.error).toBeInstanceOf(PrivateAddressError);
    expect(result.error?.message).toContain('mixed.example resolves to a loopback address (127.0.0.1)');
  });

  it('a name whose addresses are all public is handed to the connection as resolved', async () => {
    const lookup = guardedLookup(async () => answers('93.184.216.34', '2606:4700:4700::1111'));
    const all = await new Promise<unknown>((resolve) => lookup('public.example', { all: true }, (error, address) => resolve(error ?? address)));
    expect(all).toEqual(answers('93.184.216.34', '2606:4700:4700::1111'));
    const v6 = await new Promise<unknown>((resolve) => lookup('public.example', { family: 6 }, (error, address, family) => resolve(error ?? [address, family])));
    expect(v6).toEqual(['2606:4700:4700::1111', 6]);
  });

  it.each([
    ['http://127.0.0.1:5432/', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://[fd00::1]/hook', 'unique-local'],
    ['http://100.64.1.1/hook', 'carrier-grade-nat'],
    ['http://0.0.0.0:3000/', 'unspecified'],
    ['http://[::ffff:10.0.0.1]/', 'private'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
  ])('checking %s when it is saved finds a %s address', async (url, kind) => {
    expect((await checkOutboundUrl(url))?.kind).toBe(kind);
  });

  it('checking a URL when it is saved resolves its name, and lets public and unresolvable names through', async () => {
    expect((await checkOutboundUrl(`http://localhost:${port}/`))?.kind).toBe('loopback');
    expect(await checkOutboundUrl('https://hooks.example/in', async () => answers('93.184.216.34'))).toBeNull();
    expect(await checkOutboundUrl('https://hooks.example/in', async () => Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' })))).toBeNull();
    expect(await checkOutboundUrl('https://93.184.216.34/in')).toBeNull();
    expect(await checkOutboundUrl('not a url')).toBeNull();
  });
});
