// The hostile-input sweep, on both engines: every route the app serves (read from its own OpenAPI document,
// so new routes are covered without touching this file, plus the undocumented provider webhooks) gets a
// table of hostile inputs, as a signed-in admin (cookie, same Origin) and anonymously. Each must answer a 4xx
// in the error shape with a code, store nothing (every table's row count is the same before and after) and
// leave the server up. Failures are collected and reported together, one line per request.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useApi, type ApiContext } from '../support/api.js';
import { ENGINES } from '../support/stores.js';

const KiB = 1024;
const MiB = 1024 * KiB;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Route {
  method: Method;
  /** OpenAPI path, with `{param}` placeholders. */
  path: string;
  pathParams: string[];
  queryParams: { name: string; schema: Record<string, unknown> }[];
  headerParams: string[];
  /** The documented JSON body's properties, or null when the route documents no JSON body. */
  bodyProperties: string[] | null;
}

interface HostileRequest {
  label: string;
  path: string;
  init: { method: Method; headers?: Record<string, string>; body?: string | Buffer };
}

// Routes the OpenAPI document hides but the app serves to anyone.
const HIDDEN_ROUTES: Route[] = ['whatsapp', 'instagram'].flatMap((kind) => [
  { method: 'GET' as const, path: `/webhooks/${kind}`, pathParams: [], queryParams: ['hub.mode', 'hub.verify_token', 'hub.challenge'].map((name) => ({ name, schema: {} })), headerParams: [], bodyProperties: null },
  { method: 'POST' as const, path: `/webhooks/${kind}`, pathParams: [], queryParams: [], headerParams: [], bodyProperties: null },
]);

const NUL = 'a\u0000b';
const HUGE_QUERY_VALUE = 'q'.repeat(20 * KiB); // longer than the request line Node accepts
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const oversized = () => JSON.stringify({ name: 'x'.repeat(1.5 * MiB) });

/** A multipart body that stops inside its file part: no closing boundary. */
function truncatedMultipart() {
  const boundary = `hostile-${randomBytes(6).toString('hex')}`;
  return {
    body: Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nno end in sight`),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** An object setting every documented property to the same value. */
function everyProperty(properties: string[], value: unknown): Record<string, unknown> {
  return Object.fromEntries((properties.length > 0 ? properties : ['name']).map((p) => [p, value]));
}

/** Bodies that are refusable by themselves, whatever the route does with a body. */
function invalidBodies(): { label: string; body: string | Buffer; contentType: string }[] {
  const multipart = truncatedMultipart();
  return [
    { label: 'malformed JSON', body: '{"name": "unterminated', contentType: 'application/json' },
    { label: 'JSON announced, nothing sent', body: '', contentType: 'application/json' },
    { label: 'oversized JSON body (1.5 MiB)', body: oversized(), contentType: 'application/json' },
    { label: 'XML body', body: '<?xml version="1.0"?><a>1</a>', contentType: 'application/xml' },
    { label: 'form-urlencoded body', body: 'name=x&__proto__[admin]=1', contentType: 'application/x-www-form-urlencoded' },
    { label: 'truncated multipart', body: multipart.body, contentType: multipart.contentType },
    { label: 'multipart without a boundary', body: 'not multipart', contentType: 'multipart/form-data' },
    { label: 'proto-poisoned JSON (__proto__)', body: '{"__proto__": {"role": "admin", "polluted": true}, "name": "x"}', contentType: 'application/json' },
    { label: 'proto-poisoned JSON (constructor.prototype)', body: '{"constructor": {"prototype": {"polluted": true}}, "name": "x"}', contentType: 'application/json' },
  ];
}

/** Valid JSON that no documented body schema accepts: for routes that document a JSON body. */
function hostileJson(properties: string[]): { label: string; body: string; contentType: string }[] {
  return [
    { label: 'JSON nested 10,000 levels (arrays)', body: deepArray(10_000), contentType: 'application/json' },
    { label: 'JSON nested 10,000 levels (objects)', body: JSON.stringify(everyProperty(properties, 0)).replace(/0/g, deepObject(10_000 / Math.max(properties.length, 1))), contentType: 'application/json' },
    { label: 'huge string in every property', body: JSON.stringify(everyProperty(properties, 'h'.repeat(Math.floor((900 * KiB) / Math.max(properties.length, 1))))), contentType: 'application/json' },
    { label: 'NUL in every property', body: JSON.stringify(everyProperty(properties, NUL)), contentType: 'application/json' },
    { label: 'a JSON string, not an object', body: JSON.stringify('just a string'), contentType: 'application/json' },
    { label: 'JSON sent as text/plain', body: JSON.stringify(everyProperty(properties, 'x')), contentType: 'text/plain' },
  ];
}

const BOGUS_IDS = ['does-not-exist', '%zz', '00000000-0000-0000-0000-000000000000', '__proto__', 'constructor', encodeURIComponent('../../../etc/passwd'), '%00', 'i'.repeat(5000), encodeURIComponent("' OR 1=1 --"), '%F0%9F%92%A9'];

/** The routes of the app, from its own OpenAPI document. */
async function routesOf(api: ApiContext): Promise<Route[]> {
  const document = (await api.call('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, any>> };
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = (operation.parameters ?? []) as { in: string; name: string; schema?: Record<string, unknown> }[];
      const json = operation.requestBody?.content?.['application/json']?.schema as { properties?: Record<string, unknown> } | undefined;
      routes.push({
        method: method.toUpperCase() as Method,
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        headerParams: parameters.filter((p) => p.in === 'header').map((p) => p.name),
        bodyProperties: json ? Object.keys(json.properties ?? {}) : null,
      });
    }
  }
  return routes;
}

/** Real ids, by the resource a path names (its first segment) or by the parameter's own name. */
async function createRealObjects(api: ApiContext, cookie: string): Promise<Record<string, string>> {
  const { world } = api;
  const ids: Record<string, string> = { channels: world.channels.email.id, users: world.agent.userId };
  const created = async (path: string, body: unknown, pick: (b: any) => string | undefined) => {
    const response = await api.call('POST', path, { cookie, body });
    if (response.status >= 300) throw new Error(`setting up ${path} failed: ${response.status} ${JSON.stringify(response.body)}`);
    return pick(response.body)!;
  };
  const started = await created('/api/tickets', { channelId: world.channels.email.id, contact: { address: `hostile-${randomBytes(4).toString('hex')}@example.test` }, message: { kind: 'text', body: 'Hello', subject: 'Hi' } }, (b) => b.ticket.id);
  ids.tickets = started;
  const ticket = (await api.call('GET', `/api/tickets/${started}`, { cookie })).body.ticket;
  ids.contacts = ticket.contact?.id ?? ticket.contactId;
  const contact = (await api.call('GET', `/api/contacts/${ids.contacts}`, { cookie })).body.contact;
  ids.identityId = contact?.addresses?.[0]?.id ?? contact?.identities?.[0]?.id ?? 'unknown-identity';
  ids.tokens = await created('/api/tokens', { name: 'sweep' }, (b) => b.apiToken?.id ?? b.token?.id ?? b.id);
  ids['auto-close-rules'] = await created('/api/auto-close-rules', { channelId: world.channels.email.id, kind: 'customer_inactivity', durationMinutes: 60, enabled: true }, (b) => b.rule.id);
  ids.webhooks = await created('/api/webhooks', { url: 'https://example.com/hook', eventTypes: ['ticket.created'] }, (b) => b.webhook.id);
  const form = new FormData();
  form.append('file', new Blob([Buffer.from('hello')], { type: 'text/plain' }), 'hello.txt');
  const upload = await fetch(`${api.url}/api/attachments`, { method: 'POST', body: form, headers: { cookie, origin: api.url } });
  ids.attachments = ((await upload.json()) as any).attachment.id;
  return ids;
}

function withParams(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? 'unknown');
}

/** Every hostile request for one route. */
function hostileRequestsFor(route: Route, realIds: Record<string, string>): HostileRequest[] {
  const resource = route.path.split('/').filter(Boolean)[route.path.startsWith('/api/') ? 1 : 0] ?? '';
  const real: Record<string, string> = {};
  for (const name of route.pathParams) real[name] = realIds[name] ?? realIds[resource] ?? 'unknown';
  const path = withParams(route.path, real);
  const requests: HostileRequest[] = [];
  const hasBody = route.method !== 'GET';

  if (hasBody) {
    const bodies = [...invalidBodies(), ...(route.bodyProperties ? hostileJson(route.bodyProperties) : [])];
    for (const { label, body, contentType } of bodies) requests.push({ label, path, init: { method: route.method, headers: { 'content-type': contentType }, body } });
  }
  for (const { name, schema } of route.queryParams) {
    const values: [string, string][] = [
      ['NUL', NUL],
      ['longer than a request line', HUGE_QUERY_VALUE],
    ];
    requests.push({ label: `query ${name}: repeated`, path: `${path}?${encodeURIComponent(name)}=a&${encodeURIComponent(name)}=b`, init: { method: 'GET' } });
    if (/cursor/i.test(name)) {
      values.push(['not a cursor', '!!!not-a-cursor'], ['base64 of garbage', Buffer.from('{"at":"x","id":{"$gt":""}}').toString('base64url')], ['base64 of nothing', '=']);
    }
    if (schema.enum || schema.type === 'integer' || schema.type === 'number' || schema.type === 'boolean') values.push(['__proto__', '__proto__'], ['out of range', '-1e309']);
    for (const [what, value] of values) requests.push({ label: `query ${name}: ${what}`, path: `${path}?${encodeURIComponent(name)}=${encodeURIComponent(value)}`, init: { method: 'GET' } });
  }
  for (const name of route.headerParams) {
    for (const [what, value] of [
      ['not a number', 'abc'],
      ['__proto__', '__proto__'],
      ['huge', 'h'.repeat(64 * KiB)],
    ]) {
      requests.push({ label: `header ${name}: ${what}`, path, init: { method: route.method, headers: { [name]: value! } } });
    }
  }
  for (const bogus of route.pathParams.length > 0 ? BOGUS_IDS : []) {
    for (const param of route.pathParams) {
      const bogusPath = withParams(route.path, { ...real, [param]: bogus });
      const init: HostileRequest['init'] = hasBody ? { method: route.method, headers: { 'content-type': 'application/json' }, body: '{}' } : { method: route.method };
      requests.push({ label: `path ${param}: ${bogus.length > 40 ? `${bogus.slice(0, 10)}… (${bogus.length} characters)` : bogus}`, path: bogusPath, init });
    }
  }
  return requests;
}

/** Every table's row count. */
async function rowCounts(api: ApiContext): Promise<Record<string, number>> {
  const db = api.db.store.db;
  const tables = (await db.introspection.getTables()).map((t) => t.name).filter((name) => !/^kysely_/.test(name)).sort();
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await db.selectFrom(table as never).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number((row as { n: number | string }).n);
  }
  return counts;
}

/** What is wrong with an answer, or null when it is a 4xx in the error shape. */
async function problemWith(response: Response): Promise<string | null> {
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return `${response.status}, an event stream was opened`;
  }
  const text = await response.text();
  if (response.status < 400 || response.status >= 500) return `${response.status} ${text.slice(0, 160)}`;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(body.error.code) || typeof body.error.message !== 'string') return `${response.status} not in the error shape: ${text.slice(0, 160)}`;
  } catch {
    return `${response.status} not JSON: ${text.slice(0, 160)}`;
  }
  return null;
}

describe.each(ENGINES)('hostile input (%s)', (engine) => {
  const api = useApi(engine);

  it('every route answers every hostile input with a 4xx in the error shape, stores nothing and stays up', async () => {
    const admin = await api.addUser('admin');
    const cookie = await api.signIn(admin.email);
    const realIds = await createRealObjects(api, cookie);
    const routes = [...(await routesOf(api)), ...HIDDEN_ROUTES];
    // The document lists every API route; a broken document would make this sweep pass on nothing.
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['POST /api/attachments', 'POST /api/auth/login', 'GET /api/tickets', 'PATCH /api/contacts/{id}']));

    const failures: string[] = [];
    let sent = 0;
    for (const route of routes) {
      const requests = hostileRequestsFor(route, realIds);
      if (requests.length === 0) continue;
      const before = await rowCounts(api);
      for (const who of ['admin', 'anonymous'] as const) {
        for (const request of requests) {
          const headers: Record<string, string> = { ...request.init.headers };
          if (who === 'admin') Object.assign(headers, { cookie, origin: api.url });
          let problem: string | null;
          try {
            const response = await fetch(`${api.url}${request.path}`, { ...request.init, headers, signal: AbortSignal.timeout(15_000) });
            problem = await problemWith(response);
          } catch (error) {
            problem = `no answer: ${(error as Error).message}`;
          }
          sent++;
          if (problem) failures.push(`${route.method} ${route.path} [${who}] ${request.label}: ${problem}`);
        }
      }
      const after = await rowCounts(api);
      const changed = Object.keys(after).filter((table) => after[table] !== before[table]);
      if (changed.length > 0) failures.push(`${route.method} ${route.path}: rows changed in ${changed.map((t) => `${t} ${before[t]} -> ${after[t]}`).join(', ')}`);
      const health = await fetch(`${api.url}/healthz`).catch(() => null);
      if (health?.status !== 200) failures.push(`${route.method} ${route.path}: /healthz answered ${health?.status ?? 'nothing'} afterwards`);
    }

    // Nothing leaked into this process's prototypes, and the admin's session survived the sweep.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    expect((await api.call('GET', '/api/auth/me', { cookie })).status).toBe(200);
    expect(sent).toBeGreaterThan(500);
    expect(failures).toEqual([]);
  }, 120_000);
});
