// A long thread in the agent web app, in headless Chromium against the real server: it opens at its
// newest message with only the newest page read, "Load earlier messages" (readable, above the oldest
// message shown) reads the page before without moving the agent away from what they were reading, and a
// message arriving afterwards joins the thread with every earlier message still there.
// Screenshots for reviewers land in dist/screenshots/web.
import { describe, expect, it } from 'vitest';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { saveScreenshot, useBrowser } from '../support/browser.js';
import { inbound, newAddress } from '../support/factories.js';
import { expectReadable, isOnScreen } from '../support/on-screen.js';
import { useWebApp } from '../support/web-app.js';

const DESKTOP = { width: 1440, height: 900 };

const browser = useBrowser();

describe('a long thread in the agent web app', { timeout: 90_000 }, () => {
  const web = useWebApp('sqlite');

  it('opens at the newest message, reads earlier messages on request, and keeps them when a new one arrives', async () => {
    const { world } = web;
    const address = newAddress('whatsapp');
    const say = async (body: string) => {
      const result = await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address, contact: { address, displayName: 'Priya Shah' }, body }));
      if (result.outcome !== 'stored') throw new Error(`not stored: ${result.outcome}`);
      return result;
    };
    let ticket = await say('Order 1 question');
    for (let i = 2; i <= 130; i++) ticket = await say(`Order ${i} question`);

    const page = await browser.newPage(DESKTOP);
    await web.signIn(page);
    await page.goto(`${web.url}/tickets/${ticket.ticketId}`);
    const thread = page.getByRole('list', { name: 'Conversation' });
    const bubble = (text: string) => thread.locator('.bubble').filter({ hasText: text });
    await bubble('Order 130 question').waitFor();
    // The newest message is where the thread opens; only the newest page was read.
    expect(await isOnScreen(page, bubble('Order 130 question'))).toBe(true);
    expect(await thread.locator('.bubble').count()).toBe(100);
    expect(await bubble('Order 30 question').count()).toBe(0);
    // None shown is the ticket's first message, so each can be split off.
    expect(await bubble('Order 31 question').getByRole('button', { name: 'Split into a new ticket' }).count()).toBe(1);

    const earlier = thread.getByRole('button', { name: 'Load earlier messages' });
    await expectReadable(page, earlier);
    await saveScreenshot(page, 'thread-pages-before-earlier');
    await earlier.click();
    await bubble('Order 1 question').waitFor();
    expect(await thread.locator('.bubble').count()).toBe(130);
    expect(await earlier.count()).toBe(0);
    // Reading earlier messages does not throw the agent to the end of the thread: the oldest message
    // read before stays where they were looking.
    expect(await isOnScreen(page, bubble('Order 31 question'))).toBe(true);
    // The ticket's first message now shows, and it cannot be split off.
    expect(await bubble('Order 1 question').getByRole('button', { name: 'Split into a new ticket' }).count()).toBe(0);
    await saveScreenshot(page, 'thread-pages-after-earlier');

    // A new message moves the newest page on by one: nothing between the pages goes missing.
    await say('Order 131 question');
    await bubble('Order 131 question').waitFor();
    expect(await thread.locator('.bubble').count()).toBe(131);
    expect(await bubble('Order 31 question').count()).toBe(1);
    expect(await bubble('Order 1 question').count()).toBe(1);
    await page.close();
  });
});
