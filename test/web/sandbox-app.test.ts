// The web app on the real server with its sandbox, as `npm start` runs it (demo workspace, jobs, fake
// providers), in headless Chromium: a customer message written in the simulator arrives live in the inbox
// and is found by search (live too), a reply with a file shows it in the thread and reaches the simulator,
// closing and writing again starts a new ticket, an auto-close rule's sweep shows in the timeline, and an
// Instagram comment written in the simulator becomes a comment the agent answers privately. One server for
// the file; screenshots for reviewers land in dist/screenshots/web.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openStore } from '../../src/db/store.js';
import { DAY, MINUTE, systemClock } from '../../src/domain/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { runAutoClose } from '../../src/modules/auto-close/run-auto-close.js';
import { seedDemo } from '../../src/modules/demo/seed-demo.js';
import { createDeps } from '../../src/modules/deps.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { launchBrowser, saveScreenshot, screenshotPath, type Browser } from '../support/browser.js';
import { WEB_ROOT, ensureWebAppBuilt } from '../support/web-build.js';

const BROWSER_TEST_TIMEOUT = 60_000;

let browser: Browser;
let server: RunningServer;
let dataDir: string;
let admin: { email: string; password: string };

beforeAll(async () => {
  await ensureWebAppBuilt();
  browser = await launchBrowser();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-sandbox-web-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SQLITE_SYNCHRONOUS: 'NORMAL', ATTACHMENT_MAX_BYTES: String(1024 * 1024) });
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

/** The simulator in a second tab of the same signed-in browser, on the demo's sandbox WhatsApp channel. */
async function openSimulator(page: Page): Promise<Page> {
  const simulator = await page.context().newPage();
  await simulator.setViewportSize({ width: 1280, height: 800 });
  await simulator.goto(`${server.url}/simulator`);
  await simulator.getByRole('heading', { name: 'Simulator' }).waitFor();
  await simulator.getByLabel('Sandbox channel').selectOption({ label: 'WhatsApp (sandbox) (WhatsApp)' });
  return simulator;
}

async function writeAsCustomer(simulator: Page, customer: { phone: string; name: string; text: string }): Promise<void> {
  await simulator.getByLabel("Customer's phone number").fill(customer.phone);
  await simulator.getByLabel("Customer's name (optional)").fill(customer.name);
  await simulator.getByRole('textbox', { name: 'Message' }).fill(customer.text);
  await simulator.getByRole('button', { name: 'Send as the customer' }).click();
  await simulator.getByRole('status').getByText(`Sent as ${customer.name}.`).waitFor();
}

async function ticketsOfPhone(waId: string) {
  return server.deps.store.db
    .selectFrom('tickets')
    .innerJoin('contact_identities', 'contact_identities.contact_id', 'tickets.contact_id')
    .select(['tickets.id', 'tickets.number', 'tickets.status'])
    .where('contact_identities.address', '=', waId)
    .orderBy('tickets.number')
    .execute();
}

describe('the web app with the sandbox simulator', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  it('shows a simulated customer live in the inbox and in search, sends a file the simulator receives, and starts a new ticket after closing', async () => {
    const page = await browser.newPage();
    await signIn(page);
    await page.getByText('Live', { exact: true }).waitFor();
    const simulator = await openSimulator(page);
    await saveScreenshot(simulator, 'simulator-empty');

    await writeAsCustomer(simulator, { phone: '+44 7700 900777', name: 'Sofia Simulated', text: 'My blue parcel has not arrived' });
    const row = ticketRows(page).filter({ hasText: 'Sofia Simulated' });
    await row.getByText('My blue parcel has not arrived').waitFor();
    const [first] = await ticketsOfPhone('447700900777');
    expect(first).toMatchObject({ status: 'open' });

    // The server searches message text, so a word of the message finds the ticket.
    await page.getByRole('searchbox', { name: 'Search tickets' }).fill('BLUE PARCEL');
    await expect.poll(() => ticketRows(page).count()).toBe(1);
    await row.waitFor();
    // While searching, a new customer whose message matches joins the results live.
    await writeAsCustomer(simulator, { phone: '+44 7700 900778', name: 'Bruno Blue', text: 'Is the blue parcel service available?' });
    await ticketRows(page).filter({ hasText: 'Bruno Blue' }).waitFor();
    expect(await ticketRows(page).count()).toBe(2);
    await page.getByRole('searchbox', { name: 'Search tickets' }).fill('');

    await row.getByRole('button').click();
    await page.getByRole('heading', { level: 1, name: /Sofia Simulated/ }).waitFor();
    const composer = page.getByRole('form', { name: 'Composer' });
    await composer.getByLabel('Files to attach').setInputFiles({ name: 'label.png', mimeType: 'image/png', buffer: PNG });
    await composer.getByRole('list', { name: 'Attached files' }).getByText('label.png').waitFor();
    await composer.getByLabel('Message', { exact: true }).fill('Here is your shipping label');
    await composer.getByRole('button', { name: 'Send', exact: true }).waitFor({ state: 'attached' });
    await expect.poll(() => composer.getByRole('button', { name: 'Send', exact: true }).isEnabled()).toBe(true);
    await composer.screenshot({ path: await screenshotPath('composer-with-file') });
    await composer.getByRole('button', { name: 'Send', exact: true }).click();
    const bubble = page.locator('.bubble-team').filter({ hasText: 'Here is your shipping label' });
    await bubble.getByRole('link', { name: /Download label\.png/ }).waitFor();
    await bubble.getByRole('img', { name: 'label.png' }).waitFor();
    expect(await composer.getByRole('list', { name: 'Attached files' }).count()).toBe(0);
    // The sandbox's fake WhatsApp provider took it, and the simulator shows what the brand sent.
    await simulator.getByRole('list', { name: 'Sent messages' }).getByText('Here is your shipping label [label.png]').waitFor();
    await saveScreenshot(simulator, 'simulator');
    await saveScreenshot(page, 'ticket-with-file');

    await page.getByRole('button', { name: 'Close ticket' }).click();
    await page.getByText('This ticket is closed.').waitFor();
    await writeAsCustomer(simulator, { phone: '+44 7700 900777', name: 'Sofia Simulated', text: 'One more question' });
    // At 1280 px the inbox stays beside the ticket, where the new ticket appears.
    await ticketRows(page).filter({ hasText: 'One more question' }).waitFor();
    const tickets = await ticketsOfPhone('447700900777');
    expect(tickets.map((t) => t.status)).toEqual(['closed', 'open']);
    expect(tickets[1]!.number).toBeGreaterThan(first!.number);
    await ticketRows(page).filter({ hasText: 'One more question' }).getByText(`#${tickets[1]!.number}`).waitFor();
    await simulator.close();
  });

  it('says in the timeline when an auto-close rule closed a ticket, shows the rule in settings, and takes an Instagram comment from the simulator on a phone', async () => {
    const page = await browser.newPage();
    await signIn(page);
    // The demo's WhatsApp rule closes a ticket the customer has not answered for 3 days; the team wrote last to Oliver.
    await page.getByRole('button', { name: /from Oliver Bennett/ }).click();
    await page.getByRole('heading', { level: 1, name: /Oliver Bennett/ }).waitFor();
    // The sweep the server runs every minute, run now at an instant past the rule's 3 days.
    expect(await runAutoClose(server.deps, systemClock.now() + 3 * DAY + MINUTE)).toBeGreaterThan(0);
    await page.getByText('Closed automatically by an auto-close rule: the customer did not answer in time').waitFor();
    await page.getByText('This ticket is closed.').waitFor();
    await saveScreenshot(page, 'ticket-auto-closed');

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Auto-close rules' }).click();
    await page.getByRole('heading', { name: 'Auto-close rules' }).waitFor();
    await saveScreenshot(page, 'settings-auto-close');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Simulator' }).click();
    await page.getByRole('heading', { name: 'Simulator' }).waitFor();
    await page.getByRole('heading', { name: 'What the brand sent' }).waitFor();
    await saveScreenshot(page, 'phone-simulator');

    // An Instagram comment from the simulator becomes a comment in the commenter's ticket.
    await page.getByLabel('Sandbox channel').selectOption({ label: 'Instagram (sandbox) (Instagram)' });
    await page.getByLabel("Customer's Instagram id").fill('17841400000000999');
    await page.getByLabel('a comment on a post').check();
    await page.getByRole('textbox', { name: 'Comment' }).fill('Love this shirt! Does it come in green?');
    await page.getByRole('button', { name: 'Send as the customer' }).click();
    await page.getByRole('status').getByText('Sent as Sam Sandbox.').waitFor();
    await expect
      .poll(() => server.deps.store.db.selectFrom('messages').select('kind').where('body', '=', 'Love this shirt! Does it come in green?').executeTakeFirst())
      .toEqual({ kind: 'comment' });

    // The agent answers the comment privately from its ticket; the answer goes out as a private reply.
    await page.goto(server.url);
    await ticketRows(page).filter({ hasText: 'Love this shirt' }).getByRole('button').first().click();
    await page.getByRole('button', { name: 'Reply privately' }).click();
    await page.getByText(/Answering privately, as a direct message, to the comment/).waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('It does! Here is the green one.');
    await saveScreenshot(page, 'phone-comment-answer');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect
      .poll(async () => {
        const answer = await server.deps.store.db.selectFrom('messages').select(['status', 'data']).where('body', '=', 'It does! Here is the green one.').executeTakeFirst();
        return answer && { status: answer.status, mode: (JSON.parse(answer.data ?? '{}') as { commentReply?: { mode?: string } }).commentReply?.mode };
      })
      .toMatchObject({ status: expect.stringMatching(/^(sent|delivered|read)$/), mode: 'private' });
  });
});

/** A tiny valid PNG (1×1, transparent). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
