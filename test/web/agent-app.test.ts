// The agent web app in headless Chromium against the real server: signing in, the live inbox, replying,
// the keyboard, assigning and closing on both engines; the composer in every reply window, "+ New",
// email HTML, reopening, session expiry, settings and a phone-sized screen on SQLite. Screenshots for
// reviewers land in dist/screenshots/web.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { closeTicket } from '../../src/modules/tickets/ticket-actions.js';
import { saveScreenshot, screenshotPath, useBrowser } from '../support/browser.js';
import { customerWroteIn, inbound, newAddress } from '../support/factories.js';
import { messagesOf, ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { addWhatsappTemplate, useWebApp } from '../support/web-app.js';

// A browser test waits on pages, the server and the live stream; on a busy machine that takes a while.
const BROWSER_TEST_TIMEOUT = 60_000;

const browser = useBrowser();

const ticketRows = (page: Page) => page.getByRole('list', { name: 'Tickets' }).getByRole('listitem');

describe.each(ENGINES)('the agent web app on %s', { timeout: BROWSER_TEST_TIMEOUT }, (engine) => {
  const web = useWebApp(engine);

  it('signs in after a wrong password, shows a customer message arriving live, and replies, assigns with "a" and closes', async () => {
    const page = await browser.newPage();
    await page.goto(web.url);
    await page.getByLabel('Email').fill(web.admin.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('The email or password is wrong.').waitFor();
    if (engine === 'sqlite') await saveScreenshot(page, 'sign-in-refused');

    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('No tickets here.').waitFor();
    await page.getByText('Live', { exact: true }).waitFor();

    // A customer writes on WhatsApp while the inbox is open.
    const whatsapp = web.world.channels.whatsapp;
    const result = await ingestInbound(web.world.deps, inbound(whatsapp, web.world.clock, { contact: { address: newAddress('whatsapp'), displayName: 'Maria Live' }, body: 'Where is my parcel?' }));
    if (result.outcome !== 'stored') throw new Error(`the customer message was not stored: ${result.outcome}`);
    const row = ticketRows(page).filter({ hasText: 'Maria Live' });
    await row.getByText('Where is my parcel?').waitFor();
    expect(await row.getByLabel(/waiting for a reply/).count()).toBe(1);
    if (engine === 'sqlite') await saveScreenshot(page, 'inbox');

    // j moves the keyboard cursor onto it and enter opens it.
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /Maria Live/ }).waitFor();
    expect(page.url()).toMatch(/\/tickets\//);
    await page.getByTestId('window-banner').getByText(/^WhatsApp window open, closes in 2[34] h( \d+ min)?$/).waitFor();
    await page.getByText('The customer started this conversation').waitFor();

    await page.getByLabel('Message', { exact: true }).fill('It ships today.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const reply = page.locator('.bubble-team').filter({ hasText: 'It ships today.' });
    await reply.getByLabel('Delivery: Queued').waitFor();
    expect((await messagesOf(web.db.store, result.ticketId)).map((m) => m.body)).toEqual(['Where is my parcel?', 'It ships today.']);
    if (engine === 'sqlite') await saveScreenshot(page, 'ticket');

    // "a" takes the ticket when the agent is not typing.
    await page.evaluate('document.activeElement?.blur()');
    await page.keyboard.press('a');
    await page.getByText('You took the ticket').waitFor();
    expect(await page.getByLabel('Assignee').inputValue()).toBe(web.admin.userId);
    expect((await ticketRow(web.db.store, result.ticketId)).assignee_user_id).toBe(web.admin.userId);

    await page.getByRole('button', { name: 'Close ticket' }).click();
    await page.getByText('You closed the ticket').waitFor();
    await page.getByText('This ticket is closed.').waitFor();
    expect((await ticketRow(web.db.store, result.ticketId)).status).toBe('closed');
    // Closed tickets leave the list of active ones.
    await expect.poll(() => ticketRows(page).filter({ hasText: 'Maria Live' }).count()).toBe(0);

    // A reload keeps the session.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: /Maria Live/ }).waitFor();
  });
});

describe('the agent web app on sqlite, in detail', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const web = useWebApp('sqlite');
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const banner = (page: Page) => page.getByTestId('window-banner');
  const composer = (page: Page) => page.getByRole('form', { name: 'Composer' });

  it("says where the agent stands in each reply window, refuses free text outside WhatsApp's window and sends an approved template instead", async () => {
    const { world } = web;
    await addWhatsappTemplate(world, world.channels.whatsapp.id, 'order_update', 'Hi {{1}}, your order {{2}} is on its way.');
    const now = world.clock.now();
    // Half a minute of slack keeps "5 h 12 min" true while the page loads.
    const open = await customerWroteIn(world, world.channels.whatsapp, { sentAt: now - (DAY - (5 * HOUR + 12 * 60_000 + 30_000)) });
    const lapsed = await customerWroteIn(world, world.channels.whatsapp, { sentAt: now - 25 * HOUR });
    const humanAgent = await customerWroteIn(world, world.channels.instagram, { sentAt: now - 4.5 * DAY });
    const silent = await customerWroteIn(world, world.channels.instagram, { sentAt: now - 8 * DAY });
    const email = await customerWroteIn(world, world.channels.email);
    const page = await browser.newPage();
    await web.signIn(page);
    const visit = async (ticket: { ticketNumber: number }) => {
      await page.getByRole('button', { name: new RegExp(`^Ticket #${ticket.ticketNumber} from`) }).click();
      await page.getByRole('heading', { level: 1, name: new RegExp(`#${ticket.ticketNumber}$`) }).waitFor();
      await banner(page).waitFor();
    };

    await visit(open);
    expect(await banner(page).textContent()).toBe('WhatsApp window open, closes in 5 h 12 min');
    expect(await composer(page).getByLabel('Message', { exact: true }).isEnabled()).toBe(true);
    await composer(page).screenshot({ path: await screenshotPath('composer-whatsapp-open') });

    await visit(humanAgent);
    expect(await banner(page).textContent()).toBe('Instagram: human-agent reply allowed for 2 more days');
    await composer(page).screenshot({ path: await screenshotPath('composer-instagram-human-agent') });

    await visit(silent);
    expect(await banner(page).textContent()).toBe('The customer must write first');
    expect(await composer(page).getByLabel('Message', { exact: true }).isDisabled()).toBe(true);
    await composer(page).getByText('Instagram allows no message after 7 days').waitFor();
    await composer(page).screenshot({ path: await screenshotPath('composer-instagram-closed') });

    await visit(email);
    expect(await banner(page).textContent()).toBe('Email: you can write at any time');
    await composer(page).screenshot({ path: await screenshotPath('composer-email') });

    // 25 hours after the customer wrote, free text is refused with the reason and a template is offered.
    await visit(lapsed);
    expect(await banner(page).textContent()).toBe('Outside the 24-hour window: choose an approved template');
    expect(await composer(page).getByRole('tab', { name: 'Template' }).getAttribute('aria-selected')).toBe('true');
    await composer(page).getByRole('tab', { name: 'Message' }).click();
    expect(await composer(page).getByLabel('Message', { exact: true }).isDisabled()).toBe(true);
    await composer(page).getByText("outside WhatsApp's 24-hour window only an approved template can be sent").waitFor();
    await composer(page).screenshot({ path: await screenshotPath('composer-whatsapp-template-required') });

    await composer(page).getByRole('tab', { name: 'Template' }).click();
    await composer(page).getByLabel('Template', { exact: true }).selectOption({ label: 'order_update (en_US)' });
    await composer(page).getByLabel('Body {{1}}').fill('Maria');
    await composer(page).getByLabel('Body {{2}}').fill('#1042');
    await composer(page).getByLabel('Preview').getByText('Hi Maria, your order #1042 is on its way.').waitFor();
    await saveScreenshot(page, 'composer-template-preview');
    await composer(page).getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.bubble-team').filter({ hasText: 'Template: order_update' }).getByText('Hi Maria, your order #1042 is on its way.').waitFor();
    const sent = (await messagesOf(web.db.store, lapsed.ticketId)).filter((m) => m.direction === 'outbound');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.kind).toBe('template');
    const template = JSON.parse(sent[0]!.template ?? '{}') as { name: string; language: string; parameters: { body: unknown } };
    expect(template).toMatchObject({ name: 'order_update', language: 'en_US' });
    // The API may store the values by placeholder name or in placeholder order.
    expect(Object.values(template.parameters.body as Record<string, string>)).toEqual(['Maria', '#1042']);
  });

  it('"+ New" on WhatsApp to a new number asks for a template and lands in the new ticket; "+ New" to that contact again lands in the same ticket', async () => {
    const { world } = web;
    await addWhatsappTemplate(world, world.channels.whatsapp.id, 'order_update', 'Hi {{1}}, your order {{2}} is on its way.');
    const page = await browser.newPage();
    await web.signIn(page);

    const startWithTemplate = async (name: string, order: string) => {
      await composer(page).getByLabel('Template', { exact: true }).selectOption({ label: 'order_update (en_US)' });
      await composer(page).getByLabel('Body {{1}}').fill(name);
      await composer(page).getByLabel('Body {{2}}').fill(order);
    };

    await page.keyboard.press('n');
    await page.getByRole('heading', { name: 'New conversation' }).waitFor();
    await page.getByLabel('Channel', { exact: true }).selectOption(world.channels.whatsapp.id);
    await page.getByRole('combobox', { name: 'To' }).fill('+44 7700 900555');
    await page.getByRole('button', { name: 'Write to a new contact at “+44 7700 900555”' }).click();
    await page.getByLabel('Name (optional)').fill('Nora New');
    expect(await banner(page).textContent()).toBe('The customer has not written on WhatsApp yet: choose an approved template');
    await startWithTemplate('Nora', '#7');
    await saveScreenshot(page, 'new-conversation');
    await composer(page).getByRole('button', { name: 'Send and open the ticket' }).click();
    await page.getByRole('heading', { level: 1, name: /Nora New #\d+/ }).waitFor();
    await page.locator('.bubble-team').getByText('Hi Nora, your order #7 is on its way.').waitFor();
    const ticketId = page.url().split('/tickets/')[1]!;
    expect((await ticketRow(web.db.store, ticketId)).created_by).toBe('agent');

    // The contact now has an active ticket on WhatsApp: a second "+ New" joins it.
    await page.getByRole('link', { name: '+ New' }).click();
    await page.getByLabel('Channel', { exact: true }).selectOption(world.channels.whatsapp.id);
    await page.getByRole('combobox', { name: 'To' }).fill('Nora');
    await page.getByRole('option', { name: /Nora New/ }).click();
    await startWithTemplate('Nora', '#8');
    await composer(page).getByRole('button', { name: 'Send and open the ticket' }).click();
    await page.getByText(/Nora New already had an active ticket on .*, so your message was added to ticket #\d+\./).waitFor();
    expect(page.url()).toBe(`${web.url}/tickets/${ticketId}`);
    await page.locator('.bubble-team').getByText('Hi Nora, your order #8 is on its way.').waitFor();
    expect((await messagesOf(web.db.store, ticketId)).filter((m) => m.direction === 'outbound')).toHaveLength(2);
  });

  it('shows an email with a script in its HTML in a sandboxed frame without running it', async () => {
    const { world } = web;
    const html = '<p>Hello from <b>Priya</b></p><script>parent.document.title = "ran"; document.body.innerHTML = "ran";</script><img src="x" onerror="parent.document.title = \'ran\'">';
    const result = await ingestInbound(world.deps, inbound(world.channels.email, world.clock, { contact: { address: 'priya@example.com', displayName: 'Priya Nair' }, subject: 'Broken mug', body: 'Hello from Priya', html }));
    if (result.outcome !== 'stored') throw new Error('the email was not stored');
    const page = await browser.newPage();
    await web.signIn(page);
    await page.goto(`${web.url}/tickets/${result.ticketId}`);
    const frame = page.locator('iframe[title="Email message"]');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    await page.frameLocator('iframe[title="Email message"]').getByText('Hello from').waitFor();
    // Had the script or the handler run, the frame's text or the page's title would say "ran".
    expect(await page.frameLocator('iframe[title="Email message"]').locator('body').innerText()).toBe('Hello from Priya');
    expect(await page.title()).toBe('Threadbox');
  });

  it('refuses to reopen a ticket while the customer has another active one, and links to it', async () => {
    const { world } = web;
    const first = await customerWroteIn(world, world.channels.whatsapp);
    await closeTicket(world.deps, { kind: 'user', userId: web.admin.userId, workspaceId: world.workspaceId }, first.ticketId);
    const second = await customerWroteIn(world, world.channels.whatsapp, { address: first.address });
    const page = await browser.newPage();
    await web.signIn(page);
    await page.goto(`${web.url}/tickets/${first.ticketId}`);
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.getByRole('alert').getByText(`Ticket #${second.ticketNumber} is already active for this customer on this channel; continue there instead.`).waitFor();
    expect((await ticketRow(web.db.store, first.ticketId)).status).toBe('closed');
    await page.getByRole('link', { name: 'Open the active ticket' }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(`#${second.ticketNumber}$`) }).waitFor();
  });

  it('sends the agent back to sign in with a message when the session has expired', async () => {
    await customerWroteIn(web.world, web.world.channels.email);
    const page = await browser.newPage();
    await web.signIn(page);
    const row = ticketRows(page).first().getByRole('button');
    await row.waitFor();
    await web.db.store.db.deleteFrom('sessions').execute();
    await row.click();
    await page.getByText('Your session expired. Sign in again to continue where you left off.').waitFor();
    await web.signIn(page);
  });

  it('shows admins the settings, and fits a phone-sized screen', async () => {
    await customerWroteIn(web.world, web.world.channels.whatsapp);
    const page = await browser.newPage();
    await web.signIn(page);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Channels' }).waitFor();
    await page.getByText(web.world.channels.instagram.name).waitFor();
    await saveScreenshot(page, 'settings-channels');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByText(web.admin.email).waitFor();
    await saveScreenshot(page, 'settings-users');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(web.url);
    await ticketRows(page).first().getByRole('button').click();
    await page.getByRole('link', { name: '← Inbox' }).waitFor();
    expect(await page.getByRole('list', { name: 'Tickets' }).isVisible()).toBe(false);
    await saveScreenshot(page, 'phone-ticket');
  });
});
