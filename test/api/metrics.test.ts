// Prometheus metrics of a running server on both engines: served at /metrics only with the configured
// token, and without one on their own listener; requests counted by route pattern, the leased queues'
// outcomes, the queues' depth and oldest item from the database, open event streams, provider errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { reportProviderError } from '../../src/lib/provider-errors.js';
import { insertInboundPayload } from '../../src/modules/inbound/inbound-payload.repo.js';
import { inboundHandlers } from '../../src/modules/inbound/handlers.js';
import { InboundProcessor } from '../../src/modules/inbound/process-inbound.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { ENGINES, openTestStore, type TestStore } from '../support/stores.js';

const TOKEN = 'metrics-token-for-the-scraper';
const logger = createLogger('silent');

/** The value of one series in Prometheus' text format, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe.each(ENGINES)('metrics (%s)', (engine) => {
  let db: TestStore;
  let server: RunningServer;
  let dataDir: string;

  beforeEach(async () => {
    db = await openTestStore(engine);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-metrics-'));
    // No jobs: the test decides when the inbound queue runs.
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SANDBOX: 'off', JOBS: 'off', METRICS_TOKEN: TOKEN, METRICS_PORT: '0' });
    server = await startServer(config, logger, { ...db.store, close: async () => undefined });
  });
  afterEach(async () => {
    await server.close();
    await db.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => {
    const response = await fetch(`${server.url}/metrics`, { headers });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  it('answers 401 without the token or with another, and the metrics with it', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-token-at-all' }, { authorization: TOKEN }] as Record<string, string>[]) {
      const refused = await scrape(headers);
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.text).error.code).toBe('UNAUTHENTICATED');
    }
    const answered = await scrape();
    expect(answered.status).toBe(200);
    expect(answered.type).toContain('text/plain');
    expect(answered.text).toContain('threadbox_process_resident_memory_bytes');
  });

  it('counts requests by route pattern and status, never by raw URL', async () => {
    await fetch(`${server.url}/healthz`);
    await fetch(`${server.url}/api/tickets/01234567-aaaa-bbbb-cccc-0123456789ab`);
    const { text } = await scrape();
    expect(sample(text, 'threadbox_http_requests_total', { method: 'GET', route: '/healthz', status: '200' })).toBe(1);
    expect(sample(text, 'threadbox_http_requests_total', { method: 'GET', route: '/api/tickets/:id', status: '401' })).toBe(1);
    expect(text).not.toContain('01234567-aaaa');
    expect(sample(text, 'threadbox_http_request_duration_seconds_count', { route: '/healthz' })).toBe(1);
  });

  it("reads the queues' depth and oldest item from the store, and counts what became of the items a run leased", async () => {
    const now = server.deps.clock.now();
    await server.deps.store.unit((trx) => insertInboundPayload(trx, { source: 'email-http', channelId: null, raw: Buffer.from('not a mail') }, now - 90_000));
    let { text } = await scrape();
    expect(sample(text, 'threadbox_queue_depth', { queue: 'inbound' })).toBe(1);
    expect(sample(text, 'threadbox_queue_oldest_age_seconds', { queue: 'inbound' })).toBeGreaterThanOrEqual(90);
    expect(sample(text, 'threadbox_queue_scrape_ok', {})).toBe(1);

    await new InboundProcessor(server.deps, inboundHandlers(logger), logger).run();
    ({ text } = await scrape());
    expect(sample(text, 'threadbox_queue_items_total', { queue: 'inbound', outcome: 'leased' })).toBe(1);
    expect(sample(text, 'threadbox_queue_batch_duration_seconds_count', { queue: 'inbound' })).toBe(1);
  });

  it('serves the same metrics without a token on their own listener, and nothing else there', async () => {
    const own = await fetch(`${server.metricsUrl}/metrics`);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('threadbox_queue_depth');
    expect((await fetch(`${server.metricsUrl}/api/tickets`)).status).toBe(404);
  });

  it('counts open event streams and provider errors by channel kind and code', async () => {
    reportProviderError({ channelKind: 'whatsapp', code: '131047', final: true });
    const { text } = await scrape();
    expect(sample(text, 'threadbox_provider_errors_total', { channel_kind: 'whatsapp', code: '131047', final: 'true' })).toBe(1);
    expect(sample(text, 'threadbox_realtime_streams', {})).toBe(0);
  });
});
