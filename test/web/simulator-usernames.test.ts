// WhatsApp customers who write by username, in the web simulator, on the real server with its sandbox (as
// `npm start` runs it) in headless Chromium: a person picks "Username only" with the keyboard, writes, finds
// the ticket in the inbox under the username, answers it, sees the answer in the simulator addressed to the
// customer's user id (BSUID), then writes again as "Phone and username" with the same id and a phone, and
// the message joins the one ticket. Everything asserted is what a person sees: visible, on screen, readable,
// at 1440×900 and at 390×844. Screenshots for reviewers land in dist/screenshots/web.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openStore } from '../../src/db/store.js';
import { systemClock } from '../../src/domain/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { seedDemo } from '../../src/modules/demo/seed-demo.js';
import { createDeps } from '../../src/modules/deps.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { launchBrowser, saveScreenshot, type Browser } from '../support/browser.js';
import { isCutOff, isOnScreen, readability } from '../support/on-screen.js';
import { WEB_ROOT, ensureWebAppBuilt } from '../support/web-build.js';

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

let browser: Browser;
let server: RunningServer;
let dataDir: string;
let admin: { email: string; password: string };

beforeAll(async () => {
  await ensureWebAppBuilt();
  browser = await launchBrowser();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-simulator-usernames-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SQLITE_SYNCHRONOUS: 'NORMAL' });
  const store = openStore({ databaseUrl: config.databaseUrl, sqliteSynchronous: config.sqliteSynchronous });
  await store.migrate();
  const seeded = await seedDemo(createDeps(store, systemClock));
  if (!seeded.created) throw new Error('expected a fresh demo workspace');
  admin = seeded;
  server = await startServer(config, createLogger('silent'), store, { webRoot: WEB_ROOT });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await browser?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const ticketRows = (page: Page) => page.getByRole('list', { name: 'Tickets' }).getByRole('listitem');

async function signIn(page: Page): Promise<void> {
  await page.goto(server.url);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('searchbox', { name: 'Search tickets' }).waitFor();
}

/** A person can read it: visible, wholly inside the viewport once scrolled to, not cut off, at least 12 px, with WCAG AA contrast. */
async function expectReadable(page: Page, locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible' });
  await locator.scrollIntoViewIfNeeded();
  const what = String(locator);
  expect({ what, inside: await isOnScreen(page, locator) }).toEqual({ what, inside: true });
  expect({ what, truncated: await isCutOff(locator) }).toEqual({ what, truncated: false });
  const shown = await readability(locator);
  expect(shown.fontSize, what).toBeGreaterThanOrEqual(12);
  expect(shown.contrast, what).toBeGreaterThanOrEqual(4.5);
}

/** Nothing of the page runs off its right edge (no sideways scrolling on a phone). */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number }; querySelectorAll(s: string): { scrollWidth: number; clientWidth: number }[] } }).document;
    const scrollers = [...doc.querySelectorAll('.simulator, .inbox, .detail')];
    return { page: doc.documentElement.scrollWidth, widest: Math.max(0, ...scrollers.map((s) => s.scrollWidth - s.clientWidth)), viewport: (globalThis as unknown as { innerWidth: number }).innerWidth };
  });
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
  expect(widths.widest).toBeLessThanOrEqual(1);
}

async function send(simulator: Page, text: string, sentAs: string): Promise<void> {
  await simulator.getByRole('textbox', { name: 'Message' }).fill(text);
  await simulator.getByRole('button', { name: 'Send as the customer' }).click();
  const status = simulator.getByRole('status').getByText(`Sent as ${sentAs}.`);
  const refusal = simulator.getByRole('form', { name: 'Write as the customer' }).getByRole('alert');
  await status.or(refusal).first().waitFor();
  // A refusal fails with what the person reads.
  if (await refusal.isVisible()) throw new Error(`the simulator refused the message: ${await refusal.innerText()}`);
  await expectReadable(simulator, status);
}

async function ticketsOfUserId(userId: string) {
  return server.deps.store.db
    .selectFrom('tickets')
    .innerJoin('contact_identities', 'contact_identities.contact_id', 'tickets.contact_id')
    .select(['tickets.id', 'tickets.number', 'tickets.status', 'contact_identities.wa_id', 'contact_identities.username'])
    .where('contact_identities.user_id', '=', userId)
    .execute();
}

describe('the simulator writing as a WhatsApp customer known by username', { timeout: 90_000 }, () => {
  it('writes as "Username only", is answered at the user id, and joins the same ticket as "Phone and username"', async () => {
    const page = await browser.newPage(DESKTOP);
    await signIn(page);
    await page.getByText('Live', { exact: true }).waitFor();
    const simulator = await page.context().newPage();
    await simulator.setViewportSize(DESKTOP);
    await simulator.goto(`${server.url}/simulator`);
    await simulator.getByRole('heading', { name: 'Simulator' }).waitFor();
    await simulator.getByLabel('Sandbox channel').selectOption({ label: 'WhatsApp (sandbox) (WhatsApp)' });

    // The choice of who writes, with a line saying why a customer may have no phone number.
    const who = simulator.getByRole('group', { name: 'Who writes' });
    await expectReadable(simulator, who.getByText('Customers who adopted a WhatsApp username may write without sharing their phone number.'));
    const byPhone = who.getByRole('radio', { name: 'Phone number' });
    const usernameOnly = who.getByRole('radio', { name: 'Username only' });
    const phoneAndUsername = who.getByRole('radio', { name: 'Phone and username' });
    expect(await byPhone.isChecked()).toBe(true);
    for (const label of ['Phone number', 'Username only', 'Phone and username']) await expectReadable(simulator, who.getByText(label, { exact: true }));
    await expectReadable(simulator, who.getByText('The customer writes as their WhatsApp username; you never see their phone number.'));

    // Picked with the keyboard: arrow keys move within the radio group.
    await byPhone.focus();
    await simulator.keyboard.press('ArrowDown');
    expect(await usernameOnly.isChecked()).toBe(true);
    expect(await usernameOnly.evaluate((el) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);

    // Username only: no phone field; a username and a prefilled user id the person can change.
    expect(await simulator.getByLabel("Customer's phone number").count()).toBe(0);
    const usernameField = simulator.getByRole('textbox', { name: "Customer's WhatsApp username" });
    const userIdField = simulator.getByRole('textbox', { name: "Customer's user id (BSUID)" });
    await expectReadable(simulator, usernameField);
    await expectReadable(simulator, userIdField);
    await expectReadable(simulator, simulator.getByText(/The id WhatsApp gives this customer for your business instead of a phone number/));
    const generated = await userIdField.inputValue();
    expect(generated).toMatch(/^US\.[1-9]\d{19}$/);
    await simulator.getByRole('button', { name: 'New user id' }).click();
    expect(await userIdField.inputValue()).toMatch(/^US\.[1-9]\d{19}$/);
    expect(await userIdField.inputValue()).not.toBe(generated);
    // The person may type an id of their own.
    const userId = `US.1349120865530${String(systemClock.now()).slice(-7)}`;
    await userIdField.fill(userId);
    await usernameField.fill('nora.knits');
    // No profile name: the inbox names the customer by the username.
    await simulator.getByLabel("Customer's name (optional)").fill('');
    await expectReadable(simulator, simulator.getByText('Their WhatsApp profile name. Left empty, the inbox shows the username.'));
    await simulator.getByRole('textbox', { name: 'Message' }).fill('Do you sell merino yarn?');
    await expectNoSidewaysScroll(simulator);
    await saveScreenshot(simulator, 'simulator-username-only');
    await send(simulator, 'Do you sell merino yarn?', 'nora.knits');

    // The inbox shows the ticket under the username.
    const row = ticketRows(page).filter({ hasText: 'nora.knits' });
    await row.getByText('Do you sell merino yarn?').waitFor();
    await expectReadable(page, row.getByText('nora.knits', { exact: true }));
    await expectReadable(page, row.getByText('Do you sell merino yarn?'));
    const [ticket] = await ticketsOfUserId(userId);
    expect(ticket).toMatchObject({ status: 'open', wa_id: null, username: 'nora.knits' });

    // Answered from the ticket.
    await row.getByRole('button').click();
    await page.getByRole('heading', { level: 1, name: /nora\.knits/ }).waitFor();
    const composer = page.getByRole('form', { name: 'Composer' });
    await composer.getByLabel('Message', { exact: true }).fill('Yes! Merino comes in twelve colours.');
    await expect.poll(() => composer.getByRole('button', { name: 'Send', exact: true }).isEnabled()).toBe(true);
    await composer.getByRole('button', { name: 'Send', exact: true }).click();
    await expectReadable(page, page.locator('.bubble-team').getByText('Yes! Merino comes in twelve colours.'));
    await saveScreenshot(page, 'ticket-username-customer');

    // The simulator shows the answer sent to the user id, and says what that id is.
    const answer = simulator.getByRole('list', { name: 'Sent messages' }).getByRole('listitem').filter({ hasText: 'Yes! Merino comes in twelve colours.' });
    await answer.waitFor();
    await expectReadable(simulator, answer.getByText(`To user id ${userId}`));
    await expectReadable(simulator, answer.getByText('username customer, no phone number'));
    await expectReadable(simulator, answer.getByText('Yes! Merino comes in twelve colours.'));
    await saveScreenshot(simulator, 'simulator-sent-to-user-id');

    // The same customer writes again with their phone beside the same user id: the message joins the ticket.
    await phoneAndUsername.check();
    expect(await userIdField.inputValue()).toBe(userId);
    expect(await usernameField.inputValue()).toBe('nora.knits');
    const phoneField = simulator.getByRole('textbox', { name: "Customer's phone number" });
    await expectReadable(simulator, phoneField);
    await phoneField.fill('+44 7700 900555');
    await send(simulator, 'Here is my number too: 07700 900555', 'nora.knits');

    // At 1440 px the inbox stays beside the ticket: still one ticket for the customer, with the new message.
    await page.locator('.bubble-customer').getByText('Here is my number too: 07700 900555').waitFor();
    await row.getByText('Here is my number too: 07700 900555').waitFor();
    expect(await ticketRows(page).filter({ hasText: 'nora.knits' }).count()).toBe(1);
    await expectReadable(page, row.getByText('Here is my number too: 07700 900555'));
    await expectReadable(page, page.locator('.bubble-customer').getByText('Here is my number too: 07700 900555'));
    const tickets = await ticketsOfUserId(userId);
    expect(tickets).toEqual([expect.objectContaining({ id: ticket!.id, status: 'open', wa_id: '447700900555', username: 'nora.knits' })]);
    await expectNoSidewaysScroll(page);
    await saveScreenshot(page, 'ticket-username-customer-joined');

    // On a phone: the form, still on "Phone and username", readable without sideways scrolling.
    await simulator.setViewportSize(PHONE);
    expect(await phoneAndUsername.isChecked()).toBe(true);
    for (const label of ['Phone number', 'Username only', 'Phone and username']) await expectReadable(simulator, who.getByText(label, { exact: true }));
    await expectReadable(simulator, who.getByText('Customers who adopted a WhatsApp username may write without sharing their phone number.'));
    await expectReadable(simulator, phoneField);
    await expectReadable(simulator, usernameField);
    await expectReadable(simulator, userIdField);
    await expectNoSidewaysScroll(simulator);
    await who.scrollIntoViewIfNeeded();
    await saveScreenshot(simulator, 'phone-simulator-phone-and-username');
    await expectReadable(simulator, answer.getByText(`To user id ${userId}`));
    await expectReadable(simulator, answer.getByText('username customer, no phone number'));
    await saveScreenshot(simulator, 'phone-simulator-sent-to-user-id');

    // And the inbox on a phone: one ticket for the customer.
    await page.setViewportSize(PHONE);
    await page.goto(server.url);
    await row.getByText('Here is my number too: 07700 900555').waitFor();
    expect(await ticketRows(page).filter({ hasText: 'nora.knits' }).count()).toBe(1);
    await expectReadable(page, row.getByText('nora.knits', { exact: true }));
    await expectReadable(page, row.getByText('Here is my number too: 07700 900555'));
    await expectNoSidewaysScroll(page);
    await saveScreenshot(page, 'phone-inbox-username-customer');
    await simulator.close();
  });
});
