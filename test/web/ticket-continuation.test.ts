// A ticket that continues a closed one, in headless Chromium against the real server: the thread opens
// with "Continues #N", and the previous ticket's last messages unfold inline, readable and on screen.
// The screenshot for reviewers lands in dist/screenshots/web.
import { describe, expect, it } from 'vitest';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { replyToTicket } from '../../src/modules/messages/reply-to-ticket.js';
import { closeTicket } from '../../src/modules/tickets/ticket-actions.js';
import { isOnScreen } from '../support/on-screen.js';
import { saveScreenshot, useBrowser } from '../support/browser.js';
import { inbound, newAddress } from '../support/factories.js';
import { useWebApp } from '../support/web-app.js';

const browser = useBrowser();

describe('a continued ticket in the agent web app', { timeout: 60_000 }, () => {
  const web = useWebApp('sqlite');

  it('opens with "Continues #N" and shows the last messages of the previous ticket inline when asked', async () => {
    const { world } = web;
    const admin = { kind: 'user' as const, userId: web.admin.userId, workspaceId: world.workspaceId };
    const address = newAddress('whatsapp');
    const write = async (body: string) => {
      const result = await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { contact: { address, displayName: 'Maria Lopez' }, body }));
      if (result.outcome !== 'stored') throw new Error(`the customer message was not stored: ${result.outcome}`);
      return result;
    };
    const first = await write('My blender arrived with a cracked jar.');
    await replyToTicket(world.deps, admin, first.ticketId, { message: { kind: 'text', body: 'Sorry about that! A new jar ships today.' } });
    await write('Thank you, that was quick.');
    await closeTicket(world.deps, admin, first.ticketId);
    const next = await write('The new jar leaks at the bottom.');
    expect(next.ticketCreated).toBe(true);

    const page = await browser.newPage();
    await web.signIn(page);
    await page.goto(`${web.url}/tickets/${next.ticketId}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(`#${next.ticketNumber}$`) }).waitFor();
    const thread = page.getByRole('list', { name: 'Conversation' });
    const continues = thread.getByText(`Continues #${first.ticketNumber}`);
    await continues.waitFor();
    expect(await isOnScreen(page, continues)).toBe(true);
    await thread.getByText('The new jar leaks at the bottom.').waitFor();
    // The previous conversation stays folded until asked for.
    expect(await page.getByRole('list', { name: `Last messages of #${first.ticketNumber}` }).count()).toBe(0);

    const show = page.getByRole('button', { name: `Show the last messages of #${first.ticketNumber}` });
    expect(await isOnScreen(page, show)).toBe(true);
    await show.click();
    const previous = page.getByRole('list', { name: `Last messages of #${first.ticketNumber}` });
    await previous.waitFor();
    const items = previous.getByRole('listitem');
    expect(await items.count()).toBe(3);
    for (const [index, text] of ['My blender arrived with a cracked jar.', 'Sorry about that! A new jar ships today.', 'Thank you, that was quick.'].entries()) {
      const item = items.nth(index);
      await item.getByText(text).waitFor();
      expect(await isOnScreen(page, item)).toBe(true);
    }
    await items.nth(0).getByText('Maria Lopez').waitFor();
    await items.nth(1).getByText('You', { exact: true }).waitFor();
    // Readable: the text is the page's ink on a light background, at the thread's size.
    const style = await items
      .nth(0)
      .getByText('My blender arrived with a cracked jar.')
      .evaluate((el) => {
        // Runs in the page, where getComputedStyle exists; this project's types have no DOM.
        const css = (globalThis as unknown as { getComputedStyle(e: unknown): { color: string; fontSize: string } }).getComputedStyle(el);
        return { color: css.color, fontSize: Number.parseFloat(css.fontSize) };
      });
    expect(style.fontSize).toBeGreaterThanOrEqual(13);
    expect(style.color).toBe('rgb(29, 36, 51)');
    await page.getByRole('button', { name: `Hide the last messages of #${first.ticketNumber}` }).waitFor();
    await saveScreenshot(page, 'ticket-continues-previous');

    // "#N" leads to the previous ticket itself.
    await thread.getByRole('link', { name: `#${first.ticketNumber}` }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(`#${first.ticketNumber}$`) }).waitFor();
    await page.getByText('This ticket is closed.').waitFor();
  });
});
