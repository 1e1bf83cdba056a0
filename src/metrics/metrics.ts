// The process's Prometheus metrics (prom-client): HTTP requests by route, the leased queues' batches and
// outcomes, provider errors by channel kind and code, and, read at each scrape, the queues' depth and
// oldest item, open event streams and the PostgreSQL pool; plus Node's own (memory, event loop, GC).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../db/store.js';
import type { Clock } from '../domain/clock.js';
import { watchProviderErrors } from '../lib/provider-errors.js';
import { watchQueueBatches } from '../lib/queue-metrics.js';
import { queueDepths, type QueueDepth } from './queue-depths.repo.js';

export interface Metrics {
  registry: Registry;
  /** Counts one answered request: its method, its route's pattern (never the raw URL), status and duration. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Reports the open event streams at each scrape. */
  countStreams(count: () => number): void;
  /** The metrics in Prometheus' text format, and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
  stop(): void;
}

const QUEUE_OUTCOMES = ['leased', 'succeeded', 'retried', 'gaveUp', 'postponed', 'skipped'] as const;

export function createMetrics(store: Pick<Store, 'db' | 'engine' | 'connectionUse'>, clock: Clock): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ engine: store.engine });
  collectDefaultMetrics({ register: registry, prefix: 'threadbox_' });

  const requests = new Counter({ name: 'threadbox_http_requests_total', help: 'HTTP requests answered, by method, route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const requestSeconds = new Histogram({
    name: 'threadbox_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const queueItems = new Counter({ name: 'threadbox_queue_items_total', help: 'Items of the leased queues by what became of them (leased, succeeded, retried, gaveUp, postponed, skipped)', labelNames: ['queue', 'outcome'], registers: [registry] });
  const batchSeconds = new Histogram({ name: 'threadbox_queue_batch_duration_seconds', help: 'Time from leasing a batch to recording its last outcome', labelNames: ['queue'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60], registers: [registry] });
  const providerErrors = new Counter({ name: 'threadbox_provider_errors_total', help: 'Errors providers answered sends with, by channel kind, code and whether the message failed for good', labelNames: ['channel_kind', 'code', 'final'], registers: [registry] });

  // Read at scrape time: the same database-wide figures from every process. The three gauges collect side
  // by side, so they share one read per scrape.
  let reading: Promise<QueueDepth[] | null> | null = null;
  const depths = () =>
    (reading ??= queueDepths(store.db)
      .catch(() => null)
      .finally(() => setTimeout(() => (reading = null), 0)));
  new Gauge({
    name: 'threadbox_queue_depth',
    help: 'Items waiting in each queue (stored deliveries not processed; outbox items not done, by topic)',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of (await depths()) ?? []) this.set({ queue: queue.queue }, queue.depth);
    },
  });
  new Gauge({
    name: 'threadbox_queue_oldest_age_seconds',
    help: 'Age of the oldest item waiting in each queue (0 when none waits)',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      const now = clock.now();
      for (const queue of (await depths()) ?? []) this.set({ queue: queue.queue }, queue.oldestAt === null ? 0 : Math.max(0, (now - queue.oldestAt) / 1000));
    },
  });
  new Gauge({
    name: 'threadbox_queue_scrape_ok',
    help: 'Whether the queues could be read at this scrape (0 while the database is unreachable)',
    registers: [registry],
    async collect() {
      this.set((await depths()) === null ? 0 : 1);
    },
  });
  new Gauge({
    name: 'threadbox_store_pool_connections',
    help: 'PostgreSQL pool connections (open, idle) and queries waiting for one',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const use = store.connectionUse();
      if (!use) return;
      this.set({ state: 'open' }, use.open);
      this.set({ state: 'idle' }, use.idle);
      this.set({ state: 'waiting' }, use.waiting);
    },
  });
  let streams: () => number = () => 0;
  new Gauge({
    name: 'threadbox_realtime_streams',
    help: 'Open event streams (SSE clients) of this process',
    registers: [registry],
    collect() {
      this.set(streams());
    },
  });

  const stops = [
    watchQueueBatches((report) => {
      for (const outcome of QUEUE_OUTCOMES) if (report[outcome] > 0) queueItems.inc({ queue: report.queue, outcome }, report[outcome]);
      batchSeconds.observe({ queue: report.queue }, report.durationMs / 1000);
    }),
    watchProviderErrors((report) => providerErrors.inc({ channel_kind: report.channelKind, code: report.code, final: String(report.final) })),
  ];

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      requestSeconds.observe({ method, route }, seconds);
    },
    countStreams(count) {
      streams = count;
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    stop() {
      for (const stop of stops) stop();
      registry.clear();
    },
  };
}
