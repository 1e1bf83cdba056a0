// A separate OS process that ingests messages into a store, for the multi-process tests.
// Usage: node --import tsx test/support/ingest-process.ts <databaseUrl> <channelId> <address> <count> <prefix> <startAt>
import { openStore } from '../../src/db/store.js';
import { systemClock } from '../../src/domain/clock.js';
import { createDeps } from '../../src/modules/deps.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';

const [databaseUrl, channelId, address, count, prefix, startAt] = process.argv.slice(2);
if (!databaseUrl || !channelId || !address || !count || !prefix || !startAt) throw new Error('usage: ingest-process <url> <channel> <address> <count> <prefix> <startAt>');

const store = openStore({ databaseUrl, sqliteSynchronous: 'NORMAL' });
const deps = createDeps(store, systemClock);
// Both processes start ingesting at the same instant so their transactions really overlap.
while (systemClock.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
const results = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    ingestInbound(deps, { channelId, providerMessageId: `${prefix}-${i}`, sentAt: systemClock.now(), contact: { address }, kind: 'text', body: `message ${i}` }),
  ),
);
await store.close();
process.stdout.write(JSON.stringify(results.map((r) => r.outcome)));
