// `npm run bench -- whatsapp`: signed WhatsApp webhooks over HTTP on 127.0.0.1, one message per POST,
// through the real app (signature check, durable store of the body, acknowledgement, then processing
// into tickets), beside the same-run ceiling of a bare Fastify route that only checks the signature.
import { fork } from 'node:child_process';
import Fastify from 'fastify';
import { metaJson, metaSignature, inboundText, newWamid } from '../src/channels/whatsapp/fake-graph/index.js';
import { verifyMetaSignature } from '../src/channels/meta/signature.js';
import type { Engine } from '../src/db/dialect/engine.js';
import { systemClock } from '../src/domain/clock.js';
import { buildApp } from '../src/http/app.js';
import { createLogger } from '../src/lib/logger.js';
import { insertChannel } from '../src/modules/channels/channel.repo.js';
import { createDeps } from '../src/modules/deps.js';
import { inboundHandlers } from '../src/modules/inbound/handlers.js';
import { InboundProcessor } from '../src/modules/inbound/process-inbound.js';
import { insertWorkspace } from '../src/modules/workspaces/workspace.repo.js';
import { openBenchStore } from './targets.js';
import { measureProcesses, type LoadResult, type SignedBody } from './whatsapp-processes.js';

const SECRET = 'bench_app_secret_0123456789';
const PHONE_NUMBER_ID = '200000000000002';

/** performance.md: signed webhook ingest, 50 connections; acknowledgement p99 at a steady 1,000 msg/s. */
export const WHATSAPP_TARGETS: Record<Engine, { perSecond: number; steadyP99Ms: number; storedPerSecond: number; drainSeconds: number }> = {
  sqlite: { perSecond: 8_000, steadyP99Ms: 10, storedPerSecond: 5_000, drainSeconds: 10 },
  postgres: { perSecond: 4_000, steadyP99Ms: 20, storedPerSecond: 2_500, drainSeconds: 10 },
};

export interface WhatsappBenchOptions {
  engines: Engine[];
  messages: number;
  contacts: number;
  connections: number;
  steadyRate: number;
  steadySeconds: number;
  /** Each count of `threadbox serve` processes to measure on one PostgreSQL database (scale-out); absent: the app in this process, each engine. */
  processes?: number[];
}


function payloads(count: number, contacts: number): SignedBody[] {
  const now = Math.floor(systemClock.now() / 1000);
  return Array.from({ length: count }, (_, i) => {
    const waId = String(4915000000000 + (i % contacts));
    const raw = metaJson(inboundText({ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '15550001111', waId, name: `Customer ${i % contacts}`, text: `Hello, about my order #${i}. Olá 👋`, timestampSec: now, id: newWamid(waId) }));
    return { raw, signature: metaSignature(raw, SECRET) };
  });
}

/**
 * Sends each body once (burst: as fast as `connections` allow; steady: at `rate` a second) with
 * autocannon in a child process, and reads its latency histogram.
 */
async function load(url: string, bodies: SignedBody[], connections: number, rate?: number): Promise<LoadResult> {
  if (bodies.length <= LOAD_CHUNK) return loadOnce(url, bodies, connections, rate);
  // A million bodies do not fit one message to the load generator: they go a chunk after another, and
  // the figures are the whole run's rate and the slowest chunk's percentiles.
  const started = performance.now();
  const chunks: LoadResult[] = [];
  for (let i = 0; i < bodies.length; i += LOAD_CHUNK) chunks.push(await loadOnce(url, bodies.slice(i, i + LOAD_CHUNK), connections, rate));
  return { perSecond: bodies.length / ((performance.now() - started) / 1000), p50: Math.max(...chunks.map((c) => c.p50)), p99: Math.max(...chunks.map((c) => c.p99)), problems: null };
}

const LOAD_CHUNK = 100_000;

async function loadOnce(url: string, bodies: SignedBody[], connections: number, rate?: number): Promise<LoadResult> {
  const child = fork(new URL('./load-worker.mjs', import.meta.url), { serialization: 'advanced', execArgv: [] });
  const result = await new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (message) => resolve(message as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the load generator stopped (${code}) without a result`)));
    child.send({ url, bodies, connections, rate });
  });
  if (result.problems) throw new Error(result.problems);
  return result;
}

/** A bare route that verifies the signature over the raw bytes and answers: the HTTP + HMAC ceiling. */
async function measureCeiling(bodies: SignedBody[], connections: number): Promise<number> {
  const app = Fastify();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post('/webhooks/whatsapp', async (request, reply) => {
    if (!verifyMetaSignature(request.body as Buffer, request.headers['x-hub-signature-256'] as string, SECRET)) return reply.code(401).send();
    return reply.send({ received: true });
  });
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/whatsapp`;
  try {
    return (await load(url, bodies, connections)).perSecond;
  } finally {
    await app.close();
  }
}

async function measureApp(engine: Engine, options: WhatsappBenchOptions, bodies: SignedBody[], steady: SignedBody[]) {
  const bench = await openBenchStore(engine, 'whatsapp');
  const logger = createLogger('silent');
  try {
    const now = systemClock.now();
    const workspace = await insertWorkspace(bench.store.db, 'Bench', now);
    await insertChannel(bench.store.db, { workspaceId: workspace.id, kind: 'whatsapp', name: 'Bench', externalId: PHONE_NUMBER_ID, secrets: { appSecret: SECRET, accessToken: 'bench' } }, now);
    const deps = createDeps(bench.store, systemClock);
    const processor = new InboundProcessor(deps, inboundHandlers(logger), logger);
    const app = await buildApp({ deps, logger, publicUrl: 'http://127.0.0.1', onInboundStored: (storeMs) => processor.kick(storeMs) });
    const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/whatsapp`;
    try {
      const started = performance.now();
      const burst = await load(url, bodies, options.connections);
      const acknowledged = performance.now();
      await processor.run();
      const processedSeconds = (performance.now() - started) / 1000;
      const drainSeconds = (performance.now() - acknowledged) / 1000;
      const messages = await bench.store.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      if (Number(messages.n) !== bodies.length) throw new Error(`${messages.n} messages stored of ${bodies.length}`);
      const steadyLoad = await load(url, steady, options.connections, options.steadyRate);
      await processor.run();
      return { acknowledgedPerSecond: burst.perSecond, burstP99: burst.p99, processedPerSecond: bodies.length / processedSeconds, drainSeconds, steadyP50: steadyLoad.p50, steadyP99: steadyLoad.p99 };
    } finally {
      await app.close();
    }
  } finally {
    await bench.dispose();
  }
}

export async function benchWhatsapp(options: WhatsappBenchOptions): Promise<Record<string, unknown>[]> {
  if (options.processes) return benchScaleOut(options, options.processes);
  console.log(`WhatsApp webhooks: ${options.messages.toLocaleString('en-US')} signed POSTs (one message each) over ${options.contacts} contacts, ${options.connections} connections; then ${options.steadyRate}/s for ${options.steadySeconds} s`);
  const rows: string[][] = [];
  const results: Record<string, unknown>[] = [];
  for (const engine of options.engines) {
    const ceiling = await measureCeiling(payloads(Math.min(options.messages, 20_000), options.contacts), options.connections);
    const result = await measureApp(engine, options, payloads(options.messages, options.contacts), payloads(options.steadyRate * options.steadySeconds, options.contacts));
    const target = WHATSAPP_TARGETS[engine];
    results.push({ engine, ...result, ceilingPerSecond: ceiling, ratio: result.acknowledgedPerSecond / ceiling, targetPerSecond: target.perSecond, targetSteadyP99Ms: target.steadyP99Ms, targetStoredPerSecond: target.storedPerSecond, targetDrainSeconds: target.drainSeconds });
    rows.push([
      engine,
      `${Math.round(result.acknowledgedPerSecond).toLocaleString('en-US')}/s`,
      `${Math.round(ceiling).toLocaleString('en-US')}/s`,
      `${(result.acknowledgedPerSecond / ceiling).toFixed(2)}x`,
      `${result.burstP99.toFixed(1)} ms`,
      `${Math.round(result.processedPerSecond).toLocaleString('en-US')}/s`,
      `${result.drainSeconds.toFixed(1)} s`,
      `${result.steadyP50.toFixed(1)} / ${result.steadyP99.toFixed(1)} ms`,
      `${result.acknowledgedPerSecond >= target.perSecond ? 'PASS' : 'MISS'} ≥${target.perSecond}/s; ${result.steadyP99 <= target.steadyP99Ms ? 'PASS' : 'MISS'} p99 ≤${target.steadyP99Ms} ms; ` +
        `${result.processedPerSecond >= target.storedPerSecond ? 'PASS' : 'MISS'} stored ≥${target.storedPerSecond}/s; ${result.drainSeconds <= target.drainSeconds ? 'PASS' : 'MISS'} drained ≤${target.drainSeconds} s`,
    ]);
  }
  const header = ['engine', 'acknowledged', 'ceiling (bare route + HMAC)', 'ratio', 'burst p99', 'stored as tickets', 'backlog drained after the burst', `steady ${options.steadyRate}/s p50 / p99`, 'targets'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  return results;
}

/** The scale-out table: one row per count of server processes on one PostgreSQL database. */
async function benchScaleOut(options: WhatsappBenchOptions, counts: number[]): Promise<Record<string, unknown>[]> {
  console.log(`WhatsApp webhooks on PostgreSQL, N threadbox serve processes on one database: ${options.messages.toLocaleString('en-US')} signed POSTs over ${options.contacts} contacts, ${options.connections} connections in all; then ${options.steadyRate}/s for ${options.steadySeconds} s`);
  const ceiling = await measureCeiling(payloads(Math.min(options.messages, 20_000), options.contacts), options.connections);
  const rows: string[][] = [];
  const results: Record<string, unknown>[] = [];
  for (const processes of counts) {
    const result = await measureProcesses(processes, { phoneNumberId: PHONE_NUMBER_ID, secret: SECRET, connections: options.connections, steadyRate: options.steadyRate }, payloads(options.messages, options.contacts), payloads(options.steadyRate * options.steadySeconds, options.contacts), load);
    results.push({ engine: 'postgres', ...result, ceilingPerSecond: ceiling });
    rows.push([
      String(processes),
      `${Math.round(result.acknowledgedPerSecond).toLocaleString('en-US')}/s`,
      `${Math.round(result.processedPerSecond).toLocaleString('en-US')}/s`,
      `${result.drainSeconds.toFixed(1)} s`,
      `${result.steadyP50.toFixed(1)} / ${result.steadyP99.toFixed(1)} ms`,
      `${Math.round(result.rssMb)} / ${Math.round(result.peakRssMb)} MB`,
    ]);
  }
  const header = ['processes', 'acknowledged', 'stored as tickets', 'backlog drained after the burst', `steady ${options.steadyRate}/s p50 / p99 (slowest process)`, 'server RSS at the end / peak'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  console.log(`bare route + HMAC ceiling in this run: ${Math.round(ceiling).toLocaleString('en-US')}/s`);
  return results;
}
