// `npm run bench -- api`: ticket list and ticket read latency through the HTTP API over a big store
// (200k tickets, 1M messages by default), beside the same-run HTTP floor of a GET /healthz round trip.
import http from 'node:http';
import os from 'node:os';
import type { Engine } from '../src/db/dialect/engine.js';
import { systemClock } from '../src/domain/clock.js';
import { buildApp } from '../src/http/app.js';
import { THREAD_PAGE_MAX } from '../src/modules/tickets/ticket-queries.js';
import { createLogger } from '../src/lib/logger.js';
import { createDeps } from '../src/modules/deps.js';
import { seededRandom } from './api-plan.js';
import { seedInbox, type SeededInbox } from './api-seed.js';
import { quantile, runConcurrently } from './stats.js';
import { API_READ_P95_MS, openBenchStore } from './targets.js';

export interface ApiOptions {
  engines: Engine[];
  tickets: number;
  messages: number;
  contacts: number;
  requests: number;
  /** Concurrency levels to measure at; the first is the one the targets are judged at. */
  concurrency: number[];
}

/** The production pool size (openStore's default). */
const POOL_SIZE = 10;
const DEEP_PAGES = 20;
const SCENARIO_TAG = 'refund';

interface Scenario {
  name: string;
  /** Whether the latency target applies (the HTTP floor only gives the scale). */
  judged: boolean;
  path(i: number): string;
  /** Says what is wrong with a response body, if anything; run once before measuring. */
  check(body: any): string | null;
}

interface Figures {
  engine: Engine;
  scenario: string;
  concurrency: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  rate: number;
  judged: boolean;
}

type Get = (path: string, options?: { keepBody: boolean }) => Promise<{ status: number; body: string }>;

/**
 * GETs over keep-alive connections. The client shares the server's process, so measured requests only
 * drain the body: decoding hundreds of kilobytes would be counted as the server's time.
 */
function httpClient(baseUrl: string, token: string, sockets: number): { get: Get; close(): void } {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const get: Get = (path, options = { keepBody: true }) =>
    new Promise((resolve, reject) => {
      const request = http.get({ host: url.hostname, port: url.port, path, agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => options.keepBody && chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: options.keepBody ? Buffer.concat(chunks).toString('utf8') : '' }));
        response.on('error', reject);
      });
      request.on('error', reject);
    });
  return { get, close: () => agent.destroy() };
}

const listCheck = (expect: (ticket: any) => boolean, what: string) => (body: any) => {
  if (!Array.isArray(body.tickets) || body.tickets.length === 0) return 'the page is empty';
  if (body.tickets.length < 50 && body.nextCursor) return `a short page (${body.tickets.length}) with a next cursor`;
  const wrong = body.tickets.find((t: any) => !expect(t));
  return wrong ? `ticket ${wrong.number} is not ${what}` : null;
};

function scenariosOf(seeded: SeededInbox, deep: { cursor: string; page: number }): Scenario[] {
  const { plan, ticketIds, callerId } = seeded;
  const whatsapp = seeded.channelIds[0]!;
  const random = seededRandom(7);
  const typical = plan.tickets.filter((t) => t.messageCount >= 2 && t.messageCount <= 10);
  const typicalIds = Array.from({ length: Math.min(1000, typical.length) }, () => ticketIds[typical[Math.floor(random() * typical.length)]!.index]!);
  const biggest = [...plan.tickets].sort((a, b) => b.messageCount - a.messageCount).slice(0, 3);
  const detailCheck = (body: any) => (Array.isArray(body.messages) && body.messages.length > 0 && Array.isArray(body.events) ? null : 'no messages or events');
  return [
    { name: 'HTTP floor: GET /healthz', judged: false, path: () => '/healthz', check: (body) => (body.status === 'ok' ? null : 'not ok') },
    { name: 'inbox first page (open, 50)', judged: true, path: () => '/api/tickets?status=open&limit=50', check: listCheck((t) => t.status === 'open', 'open') },
    {
      name: 'mine: assignee=me, open+pending',
      judged: true,
      path: () => '/api/tickets?assignee=me&status=open,pending&limit=50',
      check: listCheck((t) => t.assigneeUserId === callerId && (t.status === 'open' || t.status === 'pending'), 'mine and open or pending'),
    },
    {
      name: `channel=whatsapp + tag=${SCENARIO_TAG}`,
      judged: true,
      path: () => `/api/tickets?channelId=${whatsapp}&tag=${SCENARIO_TAG}&limit=50`,
      check: listCheck((t) => t.channelId === whatsapp && t.tags.includes(SCENARIO_TAG), `on WhatsApp tagged ${SCENARIO_TAG}`),
    },
    {
      name: `inbox page ${deep.page} (after ${deep.page - 1} cursors)`,
      judged: true,
      path: () => `/api/tickets?status=open&limit=50${deep.cursor ? `&cursor=${deep.cursor}` : ''}`,
      check: listCheck((t) => t.status === 'open', 'open'),
    },
    { name: `read: typical ticket (2-10 msgs)`, judged: true, path: (i) => `/api/tickets/${typicalIds[i % typicalIds.length]}`, check: detailCheck },
    {
      // The thread is paged: its newest page, with the cursor to the rest.
      name: `read: biggest (${biggest.map((t) => t.messageCount).join('/')} msgs, newest page)`,
      judged: true,
      path: (i) => `/api/tickets/${ticketIds[biggest[i % biggest.length]!.index]}`,
      check: (body) => detailCheck(body) ?? (body.messages.length === Math.min(THREAD_PAGE_MAX, biggest.at(-1)!.messageCount) ? null : `${body.messages.length} messages`) ?? (body.olderCursor || biggest.at(-1)!.messageCount <= THREAD_PAGE_MAX ? null : 'no cursor to the older messages'),
    },
  ];
}

/**
 * Follows the inbox's cursor to page `target` (or the last page, when a small store has fewer); returns
 * that page's cursor and number.
 */
async function deepPageOf(get: Get, target: number): Promise<{ cursor: string; page: number }> {
  let cursor = '';
  let page = 1;
  while (page < target) {
    const response = await get(`/api/tickets?status=open&limit=50${cursor ? `&cursor=${cursor}` : ''}`);
    if (response.status !== 200) throw new Error(`the inbox answered ${response.status}: ${response.body.slice(0, 200)}`);
    const { nextCursor } = JSON.parse(response.body) as { nextCursor: string | null };
    if (!nextCursor) break;
    cursor = nextCursor;
    page += 1;
  }
  return { cursor, page };
}

async function measureEngine(engine: Engine, options: ApiOptions): Promise<Figures[]> {
  const bench = await openBenchStore(engine, 'api', POOL_SIZE);
  try {
    const seeded = await seedInbox(engine, bench.store, bench.databaseUrl, options);
    const c = seeded.counts;
    console.log(
      `  ${engine}: seeded in ${seeded.seconds.toFixed(1)} s: ${c.contacts.toLocaleString('en-US')} contacts (${c.identities.toLocaleString('en-US')} identities), ` +
        `${c.tickets.toLocaleString('en-US')} tickets (${c.activeTickets.toLocaleString('en-US')} active), ${c.messages.toLocaleString('en-US')} messages, ` +
        `${c.events.toLocaleString('en-US')} timeline events, ${c.tags.toLocaleString('en-US')} tags (${seeded.steps.map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`).join(', ')})`,
    );
    console.log(`  ${HEADER.join('  ')}`);
    const app = await buildApp({ deps: createDeps(bench.store, systemClock), logger: createLogger('silent'), publicUrl: 'http://127.0.0.1' });
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    const client = httpClient(baseUrl, seeded.token, Math.max(...options.concurrency));
    try {
      const scenarios = scenariosOf(seeded, await deepPageOf(client.get, DEEP_PAGES + 1));
      for (const scenario of scenarios) {
        const response = await client.get(scenario.path(0));
        const problem = response.status === 200 ? scenario.check(JSON.parse(response.body)) : `status ${response.status}: ${response.body.slice(0, 200)}`;
        if (problem) throw new Error(`${engine} / ${scenario.name}: ${problem}`);
      }
      const figures: Figures[] = [];
      for (const concurrency of options.concurrency) {
        for (const scenario of scenarios) {
          const run = (i: number) =>
            client.get(scenario.path(i), { keepBody: false }).then((r) => {
              if (r.status !== 200) throw new Error(`${scenario.name}: status ${r.status}`);
            });
          // Warm the JIT, the statement caches and the pool before measuring.
          await runConcurrently(Math.min(200, options.requests), concurrency, run);
          const { latencies, seconds } = await runConcurrently(options.requests, concurrency, run);
          const row = { engine, scenario: scenario.name, concurrency, judged: scenario.judged, p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99), max: Math.max(...latencies), rate: options.requests / seconds };
          figures.push(row);
          printRow(row, options);
        }
      }
      return figures;
    } finally {
      client.close();
      await app.close();
    }
  } finally {
    await bench.dispose();
  }
}

const HEADER = ['engine  ', 'scenario                              ', 'conc', ' p50 ms', ' p95 ms', ' p99 ms', ' max ms', '   req/s', ' target p95', 'verdict'];

/** Judged at the first concurrency level only: at higher levels p95 includes waiting for one Node process. */
function verdictOf(row: Figures, options: ApiOptions): { target: string; verdict: string } {
  if (!row.judged) return { target: '', verdict: '(floor)' };
  const target = API_READ_P95_MS[row.engine];
  if (row.concurrency !== options.concurrency[0]) return { target: `${target} ms`, verdict: '(load)' };
  return { target: `${target} ms`, verdict: row.p95 <= target ? 'PASS' : 'MISS' };
}

function printRow(row: Figures, options: ApiOptions): void {
  const { target, verdict } = verdictOf(row, options);
  const cells = [row.engine, row.scenario, String(row.concurrency), row.p50.toFixed(2), row.p95.toFixed(2), row.p99.toFixed(2), row.max.toFixed(2), Math.round(row.rate).toLocaleString('en-US'), target, verdict];
  console.log(`  ${cells.map((cell, i) => (i < 2 ? cell.padEnd(HEADER[i]!.length) : i === cells.length - 1 ? cell : cell.padStart(HEADER[i]!.length))).join('  ')}`);
}

export async function benchApi(options: ApiOptions): Promise<Figures[]> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  console.log(
    `api: ${options.tickets.toLocaleString('en-US')} tickets, ${options.messages.toLocaleString('en-US')} messages, up to ${options.contacts.toLocaleString('en-US')} contacts; ` +
      `${options.requests.toLocaleString('en-US')} requests per scenario at concurrency ${options.concurrency.join(' and ')} (client in the same process, keep-alive, bearer token)`,
  );
  const all: Figures[] = [];
  for (const engine of options.engines) {
    all.push(...(await measureEngine(engine, options)));
  }
  const judged = all.filter((row) => verdictOf(row, options).verdict === 'PASS' || verdictOf(row, options).verdict === 'MISS');
  const missed = judged.filter((row) => verdictOf(row, options).verdict === 'MISS');
  console.log(
    `  targets (p95 at concurrency ${options.concurrency[0]}: ≤ ${API_READ_P95_MS.sqlite} ms SQLite, ≤ ${API_READ_P95_MS.postgres} ms PostgreSQL): ` +
      `${judged.length - missed.length} PASS, ${missed.length} MISS${missed.length ? ` (${missed.map((r) => `${r.engine} ${r.scenario}`).join('; ')})` : ''}; ` +
      `whole run ${((performance.now() - started) / 1000).toFixed(0)} s; machine load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end ` +
      `(on ${os.cpus().length} cores: other work on the machine shows in the tails, read them against the floor)`,
  );
  return all;
}
