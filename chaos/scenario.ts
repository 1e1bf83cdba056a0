// One chaos run on one engine: real `threadbox serve` processes on a store of the run's own, a live
// WhatsApp channel talking to the fake Graph API (which fails a share of sends with 5xx and withholds the
// answer of others), signed webhook deliveries spread over the servers with duplicates and receipts out
// of order, agents' replies through the API, a server SIGKILLed and restarted, the database restarted;
// then, once processing settles, the promises checked against the store and the fake.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inboundText, metaJson, metaSignature, startFakeGraph, statusUpdate, type FakeGraph } from '../src/channels/whatsapp/fake-graph/index.js';
import { systemClock } from '../src/domain/clock.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';
import { patiently, postgresProbe, sqliteProbe, type Probe } from './probe.js';
import { runCli, ServerProcess, type UnexpectedExit } from './server-process.js';

export type Engine = 'postgres' | 'sqlite';

export interface ScenarioOptions {
  engine: Engine;
  servers: number;
  contacts: number;
  /** Webhook deliveries to aim for in all (messages, their duplicates and receipts). */
  deliveries: number;
  /** Agents' replies queued through the API. */
  replies: number;
  /** Deliveries started per second. */
  ratePerSecond: number;
  restartDatabase: boolean;
  /** How long processing may take to settle after the traffic. */
  settleMs: number;
  /** Where the run's temporary folders go. */
  workDir: string;
  log: (line: string) => void;
}

/** What an interrupted run (SIGINT) must still undo: servers killed, the cluster stopped and deleted. */
export const emergencyCleanups = new Set<() => void>();

export interface ScenarioResult {
  counts: Record<string, number | string>;
  failures: string[];
}

const PHONE_NUMBER_ID = '300000000000003';
const DISPLAY_NUMBER = '15550003333';
const ACCESS_TOKEN = `EAAG-chaos-${randomBytes(12).toString('hex')}`;
const APP_SECRET = `chaos-app-secret-${randomBytes(12).toString('hex')}`;
const DUPLICATE_SHARE = 0.1;
const RACING_FIRST_MESSAGES_SHARE = 0.2;
const IMMEDIATE_RECEIPT_SHARE = 0.1;
const MAX_IN_FLIGHT = 24;
const DELIVERY_TIMEOUT_MS = 10_000;
/** How long a delivery is retried before the run gives up on it (Meta would go on for days). */
const DELIVERY_GIVE_UP_MS = 150_000;
const CRASH_WINDOW_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

interface Delivery {
  kind: 'message' | 'duplicate' | 'receipt';
  raw: Buffer;
  /** The inbound message's wamid (messages and duplicates). */
  wamid?: string;
  contact?: number;
  /** The server that acknowledged it. */
  ackedBy?: string;
}

interface Reply {
  contact: number;
  body: string;
  messageId: string | null;
  queuedAt: number | null;
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const { log } = options;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const seconds = () => (elapsed() / 1000).toFixed(1);
  const failures: string[] = [];
  const dir = fs.mkdtempSync(path.join(options.workDir, `${options.engine}-`));
  const exits: UnexpectedExit[] = [];
  const servers: ServerProcess[] = [];
  const crashes: { what: string; atMs: number }[] = [];
  let cluster: PostgresCluster | null = null;
  let fake: FakeGraph | null = null;
  let probe: Probe | null = null;
  const counts: Record<string, number | string> = { engine: options.engine };
  const emergency = () => {
    for (const server of servers) server.killNow();
    cluster?.destroy();
  };
  emergencyCleanups.add(emergency);

  try {
    // The store.
    let databaseUrl: string;
    if (options.engine === 'postgres') {
      cluster = await startPostgresCluster();
      databaseUrl = cluster.url;
      log(`[${seconds()}s] PostgreSQL ${cluster.version} cluster of the run's own on 127.0.0.1:${cluster.port} (${cluster.dir})`);
    } else {
      databaseUrl = path.join(dir, 'threadbox.db');
    }

    // The fake Cloud API: 20% of sends answered 5xx, 5% accepted but never answered (the client times out).
    fake = await startFakeGraph({
      phoneNumbers: [{ phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, displayPhoneNumber: DISPLAY_NUMBER }],
      sendFaults: { errorRate: 0.2, timeoutRate: 0.05 },
    });
    const graph = fake;

    const envOf = (name: string): NodeJS.ProcessEnv => {
      const dataDir = path.join(dir, name);
      fs.mkdirSync(dataDir, { recursive: true });
      return {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        JOBS: 'on',
        SANDBOX: 'off',
        DATA_DIR: dataDir,
        PRIVATE_OUTBOUND_URLS: 'allow',
        LOG_LEVEL: 'warn',
      };
    };

    // The workspace and its admin, through the command line (which migrates the store first).
    const email = `chaos-admin-${randomBytes(4).toString('hex')}@threadbox.test`;
    const password = randomBytes(16).toString('base64url');
    runCli(['create-user', '--email', email, '--name', 'Chaos admin', '--role', 'admin', '--password', password, '--new-workspace', 'Chaos'], envOf('cli'));

    for (let i = 0; i < options.servers; i++) {
      const name = `server-${i + 1}`;
      servers.push(new ServerProcess(name, envOf(name), path.join(dir, `${name}.log`), (exit) => {
        exits.push(exit);
        log(`[${(exit.atMs / 1000).toFixed(1)}s] !! ${exit.server} EXITED on its own (code ${exit.code}, signal ${exit.signal}); not restarting it. Its last output:\n${exit.outputTail}`);
      }, elapsed));
    }
    await Promise.all(servers.map((s) => s.start()));
    log(`[${seconds()}s] ${servers.length} threadbox serve process(es): ${servers.map((s) => `${s.name} ${s.url} pid ${s.pid}`).join(', ')}`);

    probe = options.engine === 'postgres' ? postgresProbe(databaseUrl) : sqliteProbe(databaseUrl);
    const db = probe;

    // An admin's API token and the live WhatsApp channel, through the HTTP API.
    const first = servers[0]!;
    const login = await fetch(`${first.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (login.status !== 200) throw new Error(`login answered ${login.status}: ${await login.text()}`);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const tokenAnswer = await fetch(`${first.url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, origin: first.url }, body: JSON.stringify({ name: 'chaos' }) });
    if (tokenAnswer.status !== 201) throw new Error(`creating an API token answered ${tokenAnswer.status}: ${await tokenAnswer.text()}`);
    const token = ((await tokenAnswer.json()) as { token: string }).token;
    const bearer = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const channelAnswer = await fetch(`${first.url}/api/channels`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({
        kind: 'whatsapp',
        name: 'Chaos line',
        settings: { phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: DISPLAY_NUMBER, graphBaseUrl: graph.url },
        secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET },
      }),
    });
    if (channelAnswer.status !== 201) throw new Error(`connecting the WhatsApp channel answered ${channelAnswer.status}: ${await channelAnswer.text()}`);
    const channelId = ((await channelAnswer.json()) as { channel: { id: string } }).channel.id;
    log(`[${seconds()}s] live WhatsApp channel ${channelId} sending to the fake Graph API at ${graph.url}`);

    // ---- The traffic plan -------------------------------------------------------------------------
    const plannedReceipts = options.replies * 3 * 1.05;
    const uniqueMessages = Math.max(options.contacts, Math.round((options.deliveries - plannedReceipts) / (1 + DUPLICATE_SHARE)));
    const waIdOf = (contact: number) => `4477${String(10_000_000 + contact).padStart(8, '0')}${options.engine === 'postgres' ? '1' : '2'}`;
    const perContact: number[] = Array.from({ length: options.contacts }, (_, c) => Math.floor(uniqueMessages / options.contacts) + (c < uniqueMessages % options.contacts ? 1 : 0));
    // Rounds over shuffled contacts; some contacts' first two messages go out back to back, so two servers
    // race to open the same new customer's ticket.
    const schedule: { contact: number; index: number }[] = [];
    const rounds = Math.max(...perContact);
    for (let round = 0; round < rounds; round++) {
      for (const contact of shuffle([...perContact.keys()])) {
        if (round >= perContact[contact]!) continue;
        if (round === 1 && contact % Math.round(1 / RACING_FIRST_MESSAGES_SHARE) === 0) continue; // already went with its first
        schedule.push({ contact, index: round });
        if (round === 0 && contact % Math.round(1 / RACING_FIRST_MESSAGES_SHARE) === 0 && perContact[contact]! > 1) schedule.push({ contact, index: 1 });
      }
    }

    // ---- Delivering like Meta: signed, retried until acknowledged, to any server ------------------
    const acked = new Map<string, Delivery>(); // inbound wamid → its acknowledged delivery
    const firstAcked = new Set<number>();
    const tally = { sent: 0, acknowledged: 0, retries: 0, duplicatesSent: 0, receiptsSent: 0, receiptsOutOfOrder: 0, receiptsForWithheldSends: 0, refused: 0, gaveUp: 0, connectionErrors: 0, serverErrors: 0 };
    const refusals: string[] = [];
    let inFlight = 0;
    const inFlightDone: (() => void)[] = [];

    async function deliver(delivery: Delivery, avoid?: string): Promise<void> {
      tally.sent += 1;
      inFlight += 1;
      const giveUpAt = performance.now() + DELIVERY_GIVE_UP_MS;
      const signature = metaSignature(delivery.raw, APP_SECRET);
      try {
        for (let attempt = 0; ; attempt++) {
          const alive = servers.filter((s) => s.alive);
          const candidates = alive.filter((s) => s.name !== avoid);
          const server = candidates.length > 0 ? pick(candidates) : alive.length > 0 ? pick(alive) : null;
          if (server) {
            try {
              const answer = await fetch(`${server.url}/webhooks/whatsapp`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature, 'user-agent': 'facebookexternalua' },
                body: delivery.raw,
                signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
              });
              const text = await answer.text();
              if (answer.status === 200) {
                delivery.ackedBy = server.name;
                tally.acknowledged += 1;
                return;
              }
              if (answer.status < 500 && answer.status !== 429 && answer.status !== 408) {
                tally.refused += 1;
                refusals.push(`${delivery.kind} refused by ${server.name} with ${answer.status}: ${text.slice(0, 200)}`);
                return;
              }
              tally.serverErrors += 1;
            } catch {
              tally.connectionErrors += 1;
            }
          }
          if (performance.now() > giveUpAt) {
            tally.gaveUp += 1;
            return;
          }
          tally.retries += 1;
          await sleep(150 + Math.random() * 350 * Math.min(attempt + 1, 4));
        }
      } finally {
        inFlight -= 1;
        inFlightDone.shift()?.();
      }
    }

    async function room(): Promise<void> {
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => inFlightDone.push(resolve));
    }

    const pending = new Set<Promise<void>>();
    const track = (work: Promise<void>) => {
      pending.add(work);
      void work.finally(() => pending.delete(work));
    };

    // ---- Receipts: for every send the fake answered, sent, delivered and read in a shuffled order -----
    const order = ['sent', 'delivered', 'read'] as const;
    let seenSends = 0;
    let pumping = true;
    const withheld = new Set<string>();
    const receiptPump = (async () => {
      while (pumping) {
        for (const fault of graph.injectedFaults) if (fault.acceptedWamid) withheld.add(fault.acceptedWamid);
        const fresh = graph.sent.slice(seenSends);
        seenSends += fresh.length;
        for (const send of fresh) {
          // Like Meta, receipts carry the send's biz_opaque_callback_data (the app's message id), also for a
          // send whose answer never came back (the app learns its wamid from them).
          const callback = typeof send.body.biz_opaque_callback_data === 'string' ? send.body.biz_opaque_callback_data : undefined;
          if (withheld.has(send.wamid)) tally.receiptsForWithheldSends += 1;
          const statuses = shuffle([...order]);
          if (statuses.join() !== order.join()) tally.receiptsOutOfOrder += 1;
          const delay = Math.random() < IMMEDIATE_RECEIPT_SHARE ? 0 : 300 + Math.random() * 1200;
          track(
            (async () => {
              await sleep(delay);
              for (const status of statuses) {
                const raw = Buffer.from(metaJson(statusUpdate({ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: DISPLAY_NUMBER, wamid: send.wamid, status, recipientId: send.waId, timestampSec: Math.floor(systemClock.now() / 1000), bizOpaqueCallbackData: callback })));
                tally.receiptsSent += 1;
                await deliver({ kind: 'receipt', raw });
              }
            })(),
          );
        }
        await sleep(200);
      }
    })();

    // ---- Agents' replies through the API ----------------------------------------------------------
    const replyContacts = shuffle([...perContact.keys()]).slice(0, options.replies);
    const replies: Reply[] = replyContacts.map((contact) => ({ contact, body: `Chaos reply ${randomUUID()}`, messageId: null, queuedAt: null }));
    const replyProblems: string[] = [];
    const replyTally = { attempts: 0, ambiguous: 0 };
    const trafficSeconds = (schedule.length * (1 + DUPLICATE_SHARE)) / options.ratePerSecond;

    async function queueReply(reply: Reply, startAfterMs: number): Promise<void> {
      await sleep(startAfterMs);
      while (!firstAcked.has(reply.contact)) await sleep(200);
      const giveUpAt = performance.now() + 90_000;
      let ticketId: string | undefined;
      while (!ticketId && performance.now() < giveUpAt) {
        const rows = await db
          .rows<{ id: string }>(
            `SELECT t.id FROM tickets t JOIN contact_identities ci ON ci.contact_id = t.contact_id AND ci.channel_id = t.channel_id WHERE ci.address = ? AND t.channel_id = ? AND t.status <> 'closed'`,
            [waIdOf(reply.contact), channelId],
          )
          .catch(() => []);
        ticketId = rows[0]?.id;
        if (!ticketId) await sleep(300);
      }
      if (!ticketId) {
        replyProblems.push(`no ticket for contact ${waIdOf(reply.contact)} within 90 s of its first acknowledged message`);
        return;
      }
      while (performance.now() < giveUpAt) {
        const alive = servers.filter((s) => s.alive);
        if (alive.length === 0) {
          await sleep(300);
          continue;
        }
        const server = pick(alive);
        replyTally.attempts += 1;
        try {
          const answer = await fetch(`${server.url}/api/tickets/${ticketId}/replies`, { method: 'POST', headers: bearer, body: JSON.stringify({ message: { kind: 'text', body: reply.body } }), signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
          const text = await answer.text();
          if (answer.status === 201) {
            reply.messageId = (JSON.parse(text) as { message: { id: string } }).message.id;
            reply.queuedAt = elapsed();
            return;
          }
          if (answer.status < 500) {
            replyProblems.push(`reply on ticket ${ticketId} refused by ${server.name} with ${answer.status}: ${text.slice(0, 300)}`);
            return;
          }
        } catch {
          // no answer: it may or may not have been stored
        }
        // Not acknowledged: look before trying again, so an answer lost after the commit is not sent twice.
        const stored = await patiently(() => db.rows<{ id: string }>(`SELECT id FROM messages WHERE body = ? AND channel_id = ?`, [reply.body, channelId])).catch(() => []);
        if (stored[0]) {
          replyTally.ambiguous += 1;
          reply.messageId = stored[0].id;
          reply.queuedAt = elapsed();
          return;
        }
        await sleep(300);
      }
      replyProblems.push(`reply on ticket ${ticketId} never acknowledged`);
    }
    const replyWork = Promise.all(replies.map((reply, i) => queueReply(reply, ((0.1 + (0.75 * i) / Math.max(1, replies.length)) * trafficSeconds * 1000))));

    // ---- Faults, at points of the traffic ----------------------------------------------------------
    const events = { kills: 0, restarts: 0, pgRestarts: 0 };
    const planned = schedule.length;
    let ackedMessages = 0;
    let killed = false;
    let restartedDb = false;
    const faultWork: Promise<void>[] = [];
    const maybeFault = () => {
      const progress = ackedMessages / planned;
      if (!killed && progress >= 0.35) {
        killed = true;
        const victim = servers[servers.length > 1 ? 1 : 0]!;
        faultWork.push(
          (async () => {
            log(`[${seconds()}s] SIGKILL ${victim.name} (pid ${victim.pid}) at ${Math.round(progress * 100)}% of the messages`);
            crashes.push({ what: `kill ${victim.name}`, atMs: elapsed() });
            await victim.kill();
            events.kills += 1;
            await sleep(2_000);
            try {
              await victim.start();
              events.restarts += 1;
              log(`[${seconds()}s] ${victim.name} restarted at ${victim.url} (pid ${victim.pid})`);
            } catch (error) {
              failures.push(`${victim.name} did not start again after its SIGKILL: ${error instanceof Error ? error.message : String(error)}`);
            }
          })(),
        );
      }
      if (options.restartDatabase && cluster && !restartedDb && progress >= 0.65) {
        restartedDb = true;
        const restarting = cluster;
        const afterKill = Promise.all(faultWork);
        faultWork.push(
          (async () => {
            // One fault at a time: the killed server has started again before the database restarts.
            await afterKill;
            log(`[${seconds()}s] pg_ctl restart -m fast at ${Math.round(progress * 100)}% of the messages`);
            crashes.push({ what: 'database restart', atMs: elapsed() });
            await restarting.restart();
            events.pgRestarts += 1;
            log(`[${seconds()}s] PostgreSQL is back`);
          })(),
        );
      }
    };

    // ---- The messages, paced --------------------------------------------------------------------
    log(`[${seconds()}s] sending ${planned} messages for ${options.contacts} contacts (+~${Math.round(DUPLICATE_SHARE * 100)}% duplicates, receipts, ${replies.length} replies) at ~${options.ratePerSecond}/s`);
    const trafficStart = performance.now();
    for (let i = 0; i < schedule.length; i++) {
      const { contact, index } = schedule[i]!;
      const due = trafficStart + (i * 1000) / options.ratePerSecond;
      if (due > performance.now()) await sleep(due - performance.now());
      await room();
      const waId = waIdOf(contact);
      const wamid = `wamid.chaos.${options.engine}.${contact}.${index}.${randomBytes(4).toString('hex')}`;
      const timestampSec = Math.floor(systemClock.now() / 1000);
      graph.customerWrote(PHONE_NUMBER_ID, waId, timestampSec * 1000);
      const raw = Buffer.from(metaJson(inboundText({ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: DISPLAY_NUMBER, waId, name: `Customer ${contact}`, text: `Message ${index} from customer ${contact}`, timestampSec, id: wamid })));
      const delivery: Delivery = { kind: 'message', raw, wamid, contact };
      const duplicate = Math.random() < DUPLICATE_SHARE ? (Math.random() < 0.5 ? 'together' : 'after') : null;
      track(
        (async () => {
          const original = deliver(delivery);
          if (duplicate === 'together') {
            tally.duplicatesSent += 1;
            await Promise.all([original, deliver({ kind: 'duplicate', raw, wamid, contact })]);
          } else {
            await original;
          }
          if (delivery.ackedBy) {
            acked.set(wamid, delivery);
            firstAcked.add(contact);
            ackedMessages += 1;
            maybeFault();
          }
          if (duplicate === 'after') {
            tally.duplicatesSent += 1;
            await deliver({ kind: 'duplicate', raw, wamid, contact }, delivery.ackedBy);
          }
        })(),
      );
    }
    while (pending.size > 0) await Promise.race(pending);
    await replyWork;
    await Promise.all(faultWork);
    log(`[${seconds()}s] traffic done: ${acked.size}/${planned} messages acknowledged, ${tally.sent} deliveries (${tally.retries} retries), ${replies.filter((r) => r.messageId).length}/${replies.length} replies queued`);

    // ---- Settling ------------------------------------------------------------------------------------
    const queuedReplies = replies.filter((r) => r.messageId !== null);
    const settleDeadline = performance.now() + options.settleMs;
    interface Snapshot {
      stored: Map<string, number>;
      outboxOpen: { id: string; topic: string; attempts: number; locked_until: number | null; last_error: string | null }[];
      inboundOpen: { id: string; attempts: number; locked_until: number | null; last_error: string | null; raw: Buffer | string }[];
      outbound: Map<string, { status: string; provider_message_id: string | null }>;
    }
    const snapshot = async (): Promise<Snapshot> => {
      const stored = new Map<string, number>();
      for (const row of await db.rows<{ p: string; n: number | string }>(`SELECT provider_message_id AS p, COUNT(*) AS n FROM messages WHERE channel_id = ? AND direction = 'inbound' GROUP BY provider_message_id`, [channelId])) stored.set(row.p, Number(row.n));
      const outbound = new Map<string, { status: string; provider_message_id: string | null }>();
      for (const row of await db.rows<{ id: string; status: string; provider_message_id: string | null }>(`SELECT id, status, provider_message_id FROM messages WHERE channel_id = ? AND direction = 'outbound'`, [channelId])) outbound.set(row.id, row);
      return {
        stored,
        outboxOpen: await db.rows(`SELECT id, topic, attempts, locked_until, last_error FROM outbox WHERE done_at IS NULL`),
        inboundOpen: await db.rows(`SELECT id, attempts, locked_until, last_error, raw FROM inbound_payloads WHERE processed_at IS NULL`),
        outbound,
      };
    };
    const settled = (s: Snapshot) =>
      [...acked.keys()].every((w) => s.stored.has(w)) && s.outboxOpen.length === 0 && s.inboundOpen.length === 0 && queuedReplies.every((r) => s.outbound.get(r.messageId!)?.status === 'read');
    let lastReport = 0;
    const settle = async (): Promise<Snapshot> => {
      let current = await patiently(snapshot);
      while (!settled(current) && performance.now() < settleDeadline) {
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          const missing = [...acked.keys()].filter((w) => !current.stored.has(w)).length;
          const unread = queuedReplies.filter((r) => current.outbound.get(r.messageId!)?.status !== 'read').length;
          log(`[${seconds()}s] settling: ${missing} messages not stored yet, ${current.outboxOpen.length} outbox rows open, ${current.inboundOpen.length} stored deliveries unprocessed, ${unread} replies not read yet`);
        }
        await sleep(1_000);
        current = await patiently(snapshot).catch(() => current);
      }
      return current;
    };
    // The receipt pump runs while settling (a send retried late gets its receipts late); once it stops, the
    // receipts it delivered last are stored but may still be in processing, so settle once more.
    await settle();
    pumping = false;
    await receiptPump;
    while (pending.size > 0) await Promise.race(pending);
    const last = await settle();
    const settleOk = settled(last);
    log(`[${seconds()}s] ${settleOk ? 'settled' : `NOT settled within ${options.settleMs / 1000} s`}`);

    // ---- The promises -------------------------------------------------------------------------------
    const ackedWamids = [...acked.keys()];
    const missing = ackedWamids.filter((w) => !last.stored.has(w));
    const storedTwice = [...last.stored.entries()].filter(([, n]) => n > 1);
    const unknownStored = [...last.stored.keys()].filter((w) => !acked.has(w));
    const storedOurs = ackedWamids.filter((w) => last.stored.get(w) === 1).length;
    if (missing.length > 0) failures.push(`${missing.length} acknowledged message(s) never stored, e.g. ${missing.slice(0, 3).join(', ')}`);
    if (storedTwice.length > 0) failures.push(`${storedTwice.length} provider message id(s) stored more than once, e.g. ${storedTwice.slice(0, 3).map(([w, n]) => `${w} ×${n}`).join(', ')}`);
    if (unknownStored.length > 0) failures.push(`${unknownStored.length} stored inbound message(s) the run never got acknowledged, e.g. ${unknownStored.slice(0, 3).join(', ')}`);
    if (tally.refused > 0) failures.push(`${tally.refused} delivery(ies) refused with a 4xx: ${refusals.slice(0, 3).join(' | ')}`);
    if (tally.gaveUp > 0) failures.push(`${tally.gaveUp} delivery(ies) never acknowledged within ${DELIVERY_GIVE_UP_MS / 1000} s of retries`);

    const multiActive = await db.rows<{ channel_id: string; contact_id: string; n: number | string }>(`SELECT channel_id, contact_id, COUNT(*) AS n FROM tickets WHERE status <> 'closed' GROUP BY channel_id, contact_id HAVING COUNT(*) > 1`);
    const activePairs = Number((await db.rows<{ n: number | string }>(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT channel_id, contact_id FROM tickets WHERE status <> 'closed' AND channel_id = ?) pairs`, [channelId]))[0]?.n ?? 0);
    const identities = Number((await db.rows<{ n: number | string }>(`SELECT COUNT(*) AS n FROM contact_identities WHERE channel_id = ?`, [channelId]))[0]?.n ?? 0);
    const tickets = Number((await db.rows<{ n: number | string }>(`SELECT COUNT(*) AS n FROM tickets WHERE channel_id = ?`, [channelId]))[0]?.n ?? 0);
    const contactsWritten = new Set([...acked.values()].map((d) => d.contact)).size;
    if (multiActive.length > 0) failures.push(`${multiActive.length} (channel, contact) pair(s) with more than one active ticket`);
    if (activePairs !== contactsWritten) failures.push(`${activePairs} active (channel, contact) pairs for ${contactsWritten} customers who wrote`);
    if (identities !== contactsWritten) failures.push(`${identities} contact identities on the channel for ${contactsWritten} customers who wrote (one each expected)`);

    // Outbound: stored as sent with a wamid, and received by the fake at least once.
    const sendsByMessage = new Map<string, { wamid: string; at: number }[]>();
    for (const send of graph.sent) {
      const id = typeof send.body.biz_opaque_callback_data === 'string' ? send.body.biz_opaque_callback_data : '';
      sendsByMessage.set(id, [...(sendsByMessage.get(id) ?? []), { wamid: send.wamid, at: send.at }]);
    }
    const withheldWamids = new Set(graph.injectedFaults.flatMap((f) => (f.acceptedWamid ? [f.acceptedWamid] : [])));
    const crashTimes = crashes.map((c) => systemClockAt(started, c.atMs));
    let delivered = 0;
    let dupAfterTimeouts = 0;
    let dupAfterCrash = 0;
    const dupUnexplained: string[] = [];
    const notDelivered: string[] = [];
    const notRead: string[] = [];
    for (const reply of queuedReplies) {
      const row = last.outbound.get(reply.messageId!);
      const sends = sendsByMessage.get(reply.messageId!) ?? [];
      const ok = row && ['sent', 'delivered', 'read'].includes(row.status) && row.provider_message_id !== null && sends.some((s) => s.wamid === row.provider_message_id);
      if (ok) delivered += 1;
      else notDelivered.push(`${reply.messageId} (${row?.status ?? 'no row'}, ${sends.length} send(s) at the fake)`);
      if (row && row.status !== 'read') notRead.push(`${reply.messageId} (${row.status})`);
      for (let i = 1; i < sends.length; i++) {
        const previous = sends[i - 1]!;
        if (withheldWamids.has(previous.wamid)) dupAfterTimeouts += 1;
        else if (crashTimes.some((t) => previous.at <= t + 1_000 && previous.at >= t - CRASH_WINDOW_MS)) dupAfterCrash += 1;
        else dupUnexplained.push(`${reply.messageId}: ${previous.wamid} answered 200, sent again`);
      }
    }
    const outboundAtFake = [...sendsByMessage.keys()].filter((id) => id !== '').length;
    const strangers = [...sendsByMessage.keys()].filter((id) => !queuedReplies.some((r) => r.messageId === id));
    if (replyProblems.length > 0) failures.push(`${replyProblems.length} reply(ies) not queued: ${replyProblems.slice(0, 3).join(' | ')}`);
    if (notDelivered.length > 0) failures.push(`${notDelivered.length} queued reply(ies) not delivered, e.g. ${notDelivered.slice(0, 3).join(', ')}`);
    if (dupUnexplained.length > 0) failures.push(`${dupUnexplained.length} duplicate send(s) at the fake after a send that was answered: ${dupUnexplained.slice(0, 3).join(' | ')}`);
    if (strangers.length > 0) failures.push(`${strangers.length} message(s) at the fake that no reply queued`);
    if (notRead.length > 0) failures.push(`${notRead.length} delivered reply(ies) not at status read after their receipts (sent, delivered, read in any order), e.g. ${notRead.slice(0, 3).join(', ')}`);

    // Nothing stuck: outbox rows not done, stored deliveries not processed (or still leased).
    const stuckOutbox = last.outboxOpen.length;
    const stuckInbound = last.inboundOpen.length;
    if (stuckOutbox > 0) failures.push(`${stuckOutbox} outbox row(s) not done, e.g. ${last.outboxOpen.slice(0, 3).map((r) => `${r.topic} attempts ${r.attempts} ${r.locked_until ? 'leased' : ''} ${r.last_error ?? ''}`).join(' | ')}`);
    if (stuckInbound > 0) failures.push(`${stuckInbound} stored delivery(ies) not processed, e.g. ${last.inboundOpen.slice(0, 3).map((r) => `attempts ${r.attempts} ${r.locked_until ? 'leased' : ''} ${r.last_error ?? ''}`).join(' | ')}`);

    // Every server still up: none exited on its own, each still answers.
    for (const server of servers) {
      if (!server.alive) continue;
      const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
      if (health?.status !== 200) failures.push(`${server.name} is running but /healthz answered ${health?.status ?? 'nothing'}`);
    }
    if (exits.length > 0) failures.push(`${exits.length} server process(es) exited on their own: ${exits.map((e) => `${e.server} at ${(e.atMs / 1000).toFixed(1)} s (code ${e.code}, signal ${e.signal})`).join(', ')}`);

    Object.assign(counts, {
      servers: servers.length,
      contacts: options.contacts,
      messagesPlanned: planned,
      deliveriesSent: tally.sent,
      deliveryRetries: tally.retries,
      deliveryServerErrors: tally.serverErrors,
      deliveryConnectionErrors: tally.connectionErrors,
      acknowledged: acked.size,
      stored: storedOurs,
      missing: missing.length,
      storedTwice: storedTwice.length,
      duplicatesSent: tally.duplicatesSent,
      receiptsSent: tally.receiptsSent,
      receiptsOutOfOrder: tally.receiptsOutOfOrder,
      receiptsForWithheldSends: tally.receiptsForWithheldSends,
      tickets,
      activeTicketPairs: activePairs,
      pairsWithSeveralActiveTickets: multiActive.length,
      outboundQueued: queuedReplies.length,
      outboundQueuedAfterLostAnswer: replyTally.ambiguous,
      outboundDelivered: delivered,
      outboundAtFake,
      outboundRead: queuedReplies.length - notRead.length,
      providerSends: graph.sent.length,
      providerFaults5xx: graph.injectedFaults.filter((f) => f.kind === 'error').length,
      providerTimeouts: graph.injectedFaults.filter((f) => f.kind === 'timeout').length,
      providerDuplicatesAfterTimeouts: dupAfterTimeouts,
      providerDuplicatesAfterCrash: dupAfterCrash,
      providerDuplicatesUnexplained: dupUnexplained.length,
      stuckOutbox,
      stuckInbound,
      processExits: exits.length,
      pgRestarts: events.pgRestarts,
      kills: events.kills,
      restarts: events.restarts,
      settled: settleOk ? 1 : 0,
      seconds: Number(seconds()),
    });
    if (failures.length > 0) {
      for (const server of servers) log(`--- last output of ${server.name} (${server.alive ? 'running' : 'not running'}):\n${server.outputTail(6)}`);
    }
    return { counts, failures };
  } catch (error) {
    failures.push(`the run itself failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    for (const server of servers) log(`--- last output of ${server.name}:\n${server.outputTail(20)}`);
    if (cluster) log(`--- PostgreSQL log:\n${cluster.logTail(20)}`);
    counts.processExits = exits.length;
    return { counts, failures };
  } finally {
    emergencyCleanups.delete(emergency);
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    for (const server of servers) server.close();
    await probe?.close().catch(() => {});
    await fake?.close().catch(() => {});
    cluster?.destroy();
    if (!process.env.CHAOS_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

/** The wall-clock time (epoch ms, as the fake records sends) of a moment `atMs` into the run. */
function systemClockAt(startedPerf: number, atMs: number): number {
  return systemClock.now() - (performance.now() - startedPerf) + atMs;
}
