// The periodic template sync: every live, switched-on WhatsApp channel is synced when its templates are
// six hours old, by one server process, and a channel whose sync fails waits as long before the next try.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGraph, type FakeGraph } from '../../src/channels/whatsapp/fake-graph/index.js';
import { HOUR, MINUTE } from '../../src/domain/clock.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { syncStaleTemplates } from '../../src/modules/channels/sync-templates.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

const TOKEN = 'EAAG-fake-graph-access-token-0004';
let numbers = 200_000_000_700;

describe.each(ENGINES)('syncing templates periodically (%s)', (engine) => {
  const ctx = useWorld(engine);
  let fake: FakeGraph;

  beforeEach(async () => {
    fake = await startFakeGraph({ now: () => ctx.world.clock.now() });
  });

  afterEach(async () => {
    await fake.close();
  });

  async function channel(options: { waba?: string | null; sandbox?: boolean; enabled?: boolean } = {}) {
    const phoneNumberId = String(numbers++);
    const waba = options.waba === undefined ? `3000${phoneNumberId}` : options.waba;
    if (waba) {
      fake.addPhoneNumber({ phoneNumberId, accessToken: TOKEN, wabaId: waba });
      fake.setTemplates(waba, [{ name: `hello_${phoneNumberId}`, language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hello {{1}}' }] }]);
    }
    const row = await insertChannel(
      ctx.db.store.db,
      {
        workspaceId: ctx.world.workspaceId,
        kind: 'whatsapp',
        name: `Line ${phoneNumberId}`,
        externalId: phoneNumberId,
        sandbox: options.sandbox ?? false,
        config: { phoneNumberId, graphBaseUrl: fake.url, ...(waba ? { businessAccountId: waba } : {}) },
        secrets: { accessToken: TOKEN, appSecret: 'app-secret-0123456789abcdef' },
      },
      ctx.world.clock.now(),
    );
    if (options.enabled === false) await ctx.db.store.db.updateTable('channels').set({ enabled: 0 }).where('id', '=', row.id).execute();
    return row;
  }

  const templatesOf = (channelId: string) => ctx.db.store.db.selectFrom('templates').select(['name', 'status']).where('channel_id', '=', channelId).execute();
  const listings = () => fake.requests.filter((r) => r.endpoint === 'templates').length;

  it('syncs each live channel once per six hours, skipping sandbox, switched-off and other kinds of channels', async () => {
    const live = [await channel(), await channel()];
    const skipped = [await channel({ sandbox: true }), await channel({ enabled: false })];
    // The world's own WhatsApp channel has no business account yet: tried, failing, reported.
    const failures: string[] = [];
    const run = () => syncStaleTemplates(ctx.world.deps, { onFailure: (channelId) => failures.push(channelId) });
    expect(await run()).toBe(3);
    expect(failures).toEqual([ctx.world.channels.whatsapp.id]);
    for (const c of live) expect(await templatesOf(c.id)).toEqual([{ name: `hello_${c.external_id}`, status: 'APPROVED' }]);
    for (const c of skipped) expect(await templatesOf(c.id)).toEqual([]);
    expect(listings()).toBe(2);

    ctx.world.clock.advance(6 * HOUR - MINUTE);
    expect(await run()).toBe(0);
    ctx.world.clock.advance(MINUTE);
    expect(await run()).toBe(3);
    expect(listings()).toBe(4);
    expect(failures).toHaveLength(2);
  });

  it('server processes running the job at the same moment sync each channel once', async () => {
    await channel();
    await channel();
    await ctx.db.store.db.updateTable('channels').set({ enabled: 0 }).where('id', '=', ctx.world.channels.whatsapp.id).execute();
    const tried = await Promise.all([syncStaleTemplates(ctx.world.deps), syncStaleTemplates(ctx.world.deps), syncStaleTemplates(ctx.world.deps)]);
    expect(tried.reduce((a, b) => a + b, 0)).toBe(2);
    expect(listings()).toBe(2);
  });
});
