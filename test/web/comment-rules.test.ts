// An Instagram channel's comment rules in the agent web app, on the real server with its sandbox (as
// `npm start` runs it) in headless Chromium: an admin opens the rules from Settings → Channels, reads the
// default rules and that the channel still runs on them, adds a keyword rule for one post with a private
// reply, moves it to the top, tries a comment against the unsaved rules ("Test a comment"), sees a refusal
// named by its rule, saves, and finds the rules saved after a reload; an agent reads the same page with
// nothing to change. Then a customer comments in the simulator on the rule's post (picked from the posts
// the rules name): the rule's automatic reply reads as automation in the ticket, and once the ticket is
// closed an emoji-only comment of theirs opens none and shows on their contact's timeline. What is
// asserted is what a person sees: visible, on screen, uncovered and readable, at 1440×900 and 390×844.
// Screenshots for reviewers land in dist/screenshots/web.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openStore } from '../../src/db/store.js';
import { systemClock } from '../../src/domain/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { seedDemo } from '../../src/modules/demo/seed-demo.js';
import { createDeps } from '../../src/modules/deps.js';
import { hashPassword } from '../../src/modules/users/password.js';
import { insertUser } from '../../src/modules/users/user.repo.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { describeEvent } from '../../web/src/features/ticket/timeline.js';
import type { TimelineEvent } from '../../web/src/lib/types.js';
import { expectReadable, isFocused } from '../support/on-screen.js';
import { launchBrowser, saveScreenshot, type Browser } from '../support/browser.js';
import { WEB_ROOT, ensureWebAppBuilt } from '../support/web-build.js';

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const AGENT_PASSWORD = 'correct horse battery staple';

const RULE = 'Sizes on the linen shirt';
const POST = '17900000000000042';
const REPLY = 'Hi {handle}, happy to help with sizes: which one do you usually wear?';

let browser: Browser;
let server: RunningServer;
let dataDir: string;
let admin: { email: string; password: string };
let agentEmail: string;
let channelId: string;

beforeAll(async () => {
  await ensureWebAppBuilt();
  browser = await launchBrowser();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-comment-rules-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SQLITE_SYNCHRONOUS: 'NORMAL' });
  const store = openStore({ databaseUrl: config.databaseUrl, sqliteSynchronous: config.sqliteSynchronous });
  await store.migrate();
  const seeded = await seedDemo(createDeps(store, systemClock));
  if (!seeded.created) throw new Error('expected a fresh demo workspace');
  admin = seeded;
  agentEmail = 'aldo.agent@demo.threadbox.test';
  await insertUser(store.db, { workspaceId: seeded.workspaceId, email: agentEmail, name: 'Aldo Agent', role: 'agent', passwordHash: await hashPassword(AGENT_PASSWORD) }, systemClock.now());
  channelId = (await store.db.selectFrom('channels').select('id').where('workspace_id', '=', seeded.workspaceId).where('kind', '=', 'instagram').executeTakeFirstOrThrow()).id;
  server = await startServer(config, createLogger('silent'), store, { webRoot: WEB_ROOT });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await browser?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(server.url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('searchbox', { name: 'Search tickets' }).waitFor();
}

const rulesPage = (page: Page) => page.getByRole('region', { name: /^Comment rules/ });
const ruleItems = (page: Page) => page.getByRole('list', { name: 'Rules' }).locator(':scope > li');
const ruleNames = (page: Page) => page.getByRole('list', { name: 'Rules' }).locator(':scope > li .item-head strong').allTextContents();
const storedRules = async () => {
  const row = await server.deps.store.db.selectFrom('channels').select('config').where('id', '=', channelId).executeTakeFirstOrThrow();
  return (JSON.parse(row.config) as { commentRules?: { rules: { id: string; name: string; posts: string[] | null; keywords?: string[]; privateReply?: string | null }[]; otherwise: string } }).commentRules;
};

describe("an Instagram channel's comment rules in the web app", { timeout: 60_000 }, () => {
  it('lets an admin add a rule for one post, move it first, try a comment against the unsaved rules and save them', async () => {
    const page = await browser.newPage(DESKTOP);
    await signIn(page, admin.email, admin.password);
    await page.getByRole('link', { name: 'Settings' }).click();
    const channelItem = page.locator('.settings-item').filter({ has: page.getByText('Instagram (sandbox)', { exact: true }) });
    await channelItem.getByRole('link', { name: 'Comment rules' }).click();
    await page.getByRole('heading', { name: 'Comment rules · Instagram (sandbox)' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/settings/channels/${channelId}/comment-rules`);

    // What the rules do, in one sentence; the channel still runs on the defaults, and says so.
    await rulesPage(page).getByText(/^The first rule that fits a new public comment decides .*; a customer who already has an active ticket always gets their comment in it\.$/).waitFor();
    const defaults = page.getByRole('note').filter({ hasText: 'This channel still runs on the default rules' });
    await expectReadable(page, defaults);
    expect(await ruleNames(page)).toEqual(['Questions', 'Orders and products']);
    await ruleItems(page).nth(0).getByText('Fits: A question (a comment with a question mark)').waitFor();
    await ruleItems(page).nth(1).getByText(/^Fits: A comment with one of these words: order, price, size/).waitFor();
    await ruleItems(page).nth(1).getByText('Opens a ticket', { exact: true }).waitFor();
    await ruleItems(page).nth(1).getByText('On every post').waitFor();
    const otherwise = page.getByRole('group', { name: 'Otherwise' });
    expect(await otherwise.getByRole('radio', { name: 'Record only' }).isChecked()).toBe(true);
    expect(await storedRules()).toBeUndefined();
    await saveScreenshot(page, 'comment-rules-defaults-desktop');

    // A keyword rule for one post, with a private reply whose variables are explained beside it.
    await page.getByRole('button', { name: 'Add a rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name').fill(RULE);
    await form.getByRole('radio', { name: 'Only these posts' }).check();
    await form.getByLabel('Posts, one a line (media id or link)').fill(POST);
    expect(await form.getByLabel('Fits').inputValue()).toBe('keywords');
    await form.getByLabel('Keywords, separated by commas').fill('size, fit');
    expect(await form.getByRole('group', { name: 'Then' }).getByRole('radio', { name: 'Open a ticket' }).isChecked()).toBe(true);
    const privateReply = form.getByLabel('Private reply (optional)');
    await privateReply.fill(REPLY);
    const variables = form.getByText(/\{handle\} becomes the commenter's @handle and \{post\} the post's link/);
    await expectReadable(page, variables);
    expect(await privateReply.getAttribute('aria-describedby')).toBe(await variables.getAttribute('id'));
    await saveScreenshot(page, 'comment-rules-new-rule-desktop');
    await form.getByRole('button', { name: 'Add the rule' }).click();
    expect(await ruleNames(page)).toEqual(['Questions', 'Orders and products', RULE]);
    const added = ruleItems(page).nth(2);
    await added.getByText(`On this post: ${POST}`).waitFor();
    await added.getByText('Fits: A comment with one of these words: size, fit').waitFor();
    await added.getByText(`Answers privately: “${REPLY}”`).waitFor();

    // Moved to the top; the keyboard focus stays with it.
    await added.getByRole('button', { name: 'Move up' }).click();
    await ruleItems(page).nth(1).getByRole('button', { name: 'Move up' }).click();
    expect(await ruleNames(page)).toEqual([RULE, 'Questions', 'Orders and products']);
    expect(await isFocused(ruleItems(page).nth(0).getByRole('button', { name: 'Move down' }))).toBe(true);
    expect(await ruleItems(page).nth(0).getByRole('button', { name: 'Move up' }).isDisabled()).toBe(true);
    await page.getByText('Unsaved changes: comments follow the saved rules until you save.').waitFor();

    // "Test a comment" uses the rules as they are on the page, unsaved: the new rule comes first.
    const trial = page.getByRole('form', { name: 'Test a comment' });
    await trial.getByRole('textbox', { name: 'Comment', exact: true }).fill('Does it run true to size?');
    await trial.getByRole('combobox', { name: 'Post (optional)' }).fill(POST);
    await trial.getByRole('textbox', { name: "Commenter's handle (optional)" }).fill('@maria.k');
    await trial.getByRole('button', { name: 'Test the comment' }).click();
    const result = trial.getByRole('status');
    await result.getByText(`Opens a ticket (rule “${RULE}”); answers privately: “Hi @maria.k, happy to help with sizes: which one do you usually wear?”.`, { exact: true }).waitFor();
    await expectReadable(page, result);
    await saveScreenshot(page, 'comment-rules-test-desktop');
    // On another post the rule does not apply: the question goes to "Questions".
    await trial.getByRole('combobox', { name: 'Post (optional)' }).fill('17900000000000099');
    expect(await result.count()).toBe(0);
    await trial.getByRole('button', { name: 'Test the comment' }).click();
    await result.getByText('Opens a ticket (rule “Questions”).', { exact: true }).waitFor();
    // An emoji fits no rule: the channel's "otherwise".
    await trial.getByRole('textbox', { name: 'Comment', exact: true }).fill('😍');
    await trial.getByRole('button', { name: 'Test the comment' }).click();
    await result.getByText("Recorded only: no rule matched, so the channel's “otherwise” applies.", { exact: true }).waitFor();
    expect(await storedRules()).toBeUndefined();

    // A refusal reads as a sentence naming the rule. The page never sends a rule that records only with an
    // answer, so the request is changed on its way to the server.
    await page.route(`**/api/channels/${channelId}/comment-rules`, (route) => {
      if (route.request().method() !== 'PUT') return route.continue();
      const body = route.request().postDataJSON() as { rules: { action: string }[] };
      body.rules[0]!.action = 'record';
      return route.continue({ postData: JSON.stringify(body) });
    });
    await page.getByRole('button', { name: 'Save rules' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'These rules were not saved.' });
    await refusal.getByText(`These rules were not saved. Rule 1, “${RULE}”: automatic answers are sent in a ticket: a rule that records only cannot have them.`, { exact: true }).waitFor();
    await expectReadable(page, refusal);
    expect(await storedRules()).toBeUndefined();
    await page.unroute(`**/api/channels/${channelId}/comment-rules`);

    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByRole('status').getByText('Saved. New comments on this channel follow these rules.').waitFor();
    expect(await defaults.count()).toBe(0);
    const saved = await storedRules();
    expect(saved?.otherwise).toBe('record');
    expect(saved?.rules.map((r) => r.name)).toEqual([RULE, 'Questions', 'Orders and products']);
    expect(saved?.rules[0]).toMatchObject({ posts: [POST], keywords: ['size', 'fit'], privateReply: REPLY });

    // After a reload the saved rules are the page's, and nothing reads as unsaved or as the defaults.
    await page.reload();
    await rulesPage(page).getByRole('heading', { name: 'Comment rules · Instagram (sandbox)' }).waitFor();
    await expect.poll(() => ruleNames(page)).toEqual([RULE, 'Questions', 'Orders and products']);
    expect(await defaults.count()).toBe(0);
    expect(await page.getByText('Unsaved changes').count()).toBe(0);

    // A phone-sized screen shows the page in one column, nothing off screen sideways.
    await page.setViewportSize(PHONE);
    const firstRule = ruleItems(page).nth(0);
    await firstRule.getByText(`Answers privately: “${REPLY}”`).waitFor();
    await expectReadable(page, firstRule.getByRole('button', { name: 'Edit' }));
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await saveScreenshot(page, 'comment-rules-phone');
    await trial.getByRole('textbox', { name: 'Comment', exact: true }).fill('Which size fits a 38?');
    await trial.getByRole('combobox', { name: 'Post (optional)' }).fill(POST);
    await trial.getByRole('button', { name: 'Test the comment' }).click();
    await result.getByText(`Opens a ticket (rule “${RULE}”); answers privately: “Hi, happy to help with sizes: which one do you usually wear?”.`, { exact: true }).waitFor();
    await expectReadable(page, result);
    await saveScreenshot(page, 'comment-rules-test-phone');
  });

  it('shows an agent the rules with nothing to change', async () => {
    const page = await browser.newPage(DESKTOP);
    await signIn(page, agentEmail, AGENT_PASSWORD);
    await page.goto(`${server.url}/settings/channels/${channelId}/comment-rules`);
    await page.getByRole('heading', { name: 'Comment rules · Instagram (sandbox)' }).waitFor();
    await expect.poll(() => ruleNames(page)).toEqual([RULE, 'Questions', 'Orders and products']);
    await page.getByText('Only admins can change these rules.').waitFor();
    expect(await page.getByRole('button', { name: 'Save rules' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add a rule' }).count()).toBe(0);
    expect(await page.getByRole('list', { name: 'Rules' }).getByRole('button').count()).toBe(0);
    expect(await page.getByRole('group', { name: 'Otherwise' }).getByRole('radio', { name: 'Record only' }).isDisabled()).toBe(true);
    // Trying a comment is open to everyone.
    const trial = page.getByRole('form', { name: 'Test a comment' });
    await trial.getByRole('textbox', { name: 'Comment', exact: true }).fill('What is the delivery time to Porto?');
    await trial.getByRole('button', { name: 'Test the comment' }).click();
    await trial.getByRole('status').getByText('Opens a ticket (rule “Questions”).', { exact: true }).waitFor();
    await saveScreenshot(page, 'comment-rules-agent-desktop');
    // And the API refuses them a change.
    const refused = await page.request.put(`${server.url}/api/channels/${channelId}/comment-rules`, { headers: { origin: server.url }, data: { rules: [], otherwise: 'ticket' } });
    expect(refused.status()).toBe(403);
  });

  it("answers a comment on the rule's post automatically, as automation, and records a later emoji on the contact's timeline", async () => {
    const customer = '17841400000000555';
    const page = await browser.newPage(DESKTOP);
    await signIn(page, admin.email, admin.password);

    // The simulator offers the post the rules name.
    await page.getByRole('link', { name: 'Simulator' }).click();
    await page.getByLabel('Sandbox channel').selectOption({ label: 'Instagram (sandbox) (Instagram)' });
    await page.getByLabel("Customer's Instagram id").fill(customer);
    await page.getByLabel("Customer's name (optional)").fill('maria.k');
    await page.getByLabel('a comment on a post').check();
    const post = page.getByRole('combobox', { name: /^Post \(optional\)/ });
    await page.getByText("Pick the post the channel's comment rules name, to try a rule for one post, or type a media id.").waitFor();
    expect(await page.locator(`[id="${await post.getAttribute('list')}"] option`).evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value))).toEqual([POST]);
    await post.fill(POST);
    const comment = page.getByRole('textbox', { name: 'Comment', exact: true });
    await comment.fill('What size should I take? I am usually a 38.');
    await saveScreenshot(page, 'comment-rules-simulator-desktop');
    await page.getByRole('button', { name: 'Send as the customer' }).click();
    await page.getByRole('status').getByText('Sent as maria.k.').waitFor();

    const ticketOf = () =>
      server.deps.store.db
        .selectFrom('tickets')
        .innerJoin('contact_identities', 'contact_identities.contact_id', 'tickets.contact_id')
        .select(['tickets.id', 'tickets.number', 'tickets.status', 'tickets.contact_id'])
        .where('contact_identities.address', '=', customer)
        .executeTakeFirst();
    await expect.poll(ticketOf).toBeTruthy();
    const ticket = (await ticketOf())!;

    // In the ticket, the rule's answer reads as automation under the rule, never as a person.
    await page.goto(`${server.url}/tickets/${ticket.id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(`#${ticket.number}$`) }).waitFor();
    const thread = page.getByRole('list', { name: 'Conversation' });
    const answer = thread.locator('.bubble-team').filter({ hasText: 'Hi @maria.k, happy to help with sizes: which one do you usually wear?' });
    await answer.waitFor();
    const author = answer.locator('.author');
    // The rule's name arrives with the channel's rules, read once the thread shows such an answer.
    await expect.poll(() => author.textContent()).toBe(`Automatic reply (rule “${RULE}”)`);
    await answer.getByText('private reply', { exact: true }).waitFor();
    expect(await author.getByRole('link').getAttribute('href')).toBe(`/settings/channels/${channelId}/comment-rules`);
    // The thread's message heads are small and bold, as every author line is.
    await expectReadable(page, author, 11);
    await saveScreenshot(page, 'comment-rules-automatic-reply-desktop');

    // The team closes the ticket; the customer's emoji afterwards opens none and is recorded on their timeline.
    const closed = await page.request.post(`${server.url}/api/tickets/${ticket.id}/close`, { headers: { origin: server.url }, data: {} });
    expect(closed.status()).toBe(200);
    const simulated = await page.request.post(`${server.url}/api/sandbox/customer-messages`, { headers: { origin: server.url }, data: { channelId, from: customer, name: 'maria.k', text: '😍', comment: { mediaId: POST } } });
    expect(simulated.status()).toBe(202);
    await expect
      .poll(async () => (await server.deps.store.db.selectFrom('recorded_comments').select('body').where('contact_id', '=', ticket.contact_id).execute()).map((r) => r.body))
      .toEqual(['😍']);
    const tickets = await server.deps.store.db.selectFrom('tickets').select('id').where('contact_id', '=', ticket.contact_id).execute();
    expect(tickets).toHaveLength(1);

    for (const [viewport, size] of [
      [DESKTOP, 'desktop'],
      [PHONE, 'phone'],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.goto(`${server.url}/tickets/${ticket.id}`);
      await page.getByText('This ticket is closed.').waitFor();
      if (size === 'phone') await page.getByRole('button', { name: 'Contact', exact: true }).click();
      const contact = page.getByRole('complementary', { name: 'Contact' });
      const recorded = contact.getByRole('listitem').filter({ hasText: 'Commented on a post: “😍” — recorded without a ticket' });
      await recorded.waitFor();
      expect(await recorded.textContent()).toMatch(/^Commented on a post: “😍” — recorded without a ticket · Instagram \(sandbox\) · /);
      await expectReadable(page, recorded);
      await saveScreenshot(page, `comment-rules-contact-timeline-${size}`);
    }
  });
});

describe('the thread on a comment rule\'s answer that was not sent', () => {
  const skipped = (answer: 'private' | 'public', message: string): TimelineEvent => ({
    id: 'e',
    type: 'automation.skipped',
    actorKind: 'system',
    actorUserId: null,
    data: { ruleId: 'sizes', commentId: 'c1', answer, code: 'INSTAGRAM_PRIVATE_REPLY_EXPIRED', message },
    createdAt: 0,
  });

  it('says which automatic answer was not sent, and why', () => {
    expect(describeEvent(skipped('private', 'Instagram allows a private reply within 7 days of the comment.'), () => 'You')).toBe(
      'The automatic private reply was not sent: Instagram allows a private reply within 7 days of the comment.',
    );
    expect(describeEvent(skipped('public', 'The comment was deleted.'), () => 'You')).toBe('The automatic public answer was not sent: The comment was deleted.');
  });
});
