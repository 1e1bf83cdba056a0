// Splitting a ticket in the agent web app, in headless Chromium against the real server: a customer's two
// matters merged into one email ticket are split at the second one ("Split into a new ticket", asked
// first), the new ticket opens with "Split from #N" on screen, the old one reads as closed by the split,
// and the email channel is switched to thread by conversation so it does not happen again. The thread's
// sentences for the two close reasons the product sets itself are checked without a browser.
// Screenshots for reviewers land in dist/screenshots/web.
import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../web/src/features/ticket/timeline.js';
import type { TimelineEvent } from '../../web/src/lib/types.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { isFocused, isOnScreen, isUncovered, readability } from '../support/on-screen.js';
import { saveScreenshot, useBrowser } from '../support/browser.js';
import { inbound, newAddress } from '../support/factories.js';
import { useWebApp, type WebAppContext } from '../support/web-app.js';

const DESKTOP = { width: 1440, height: 900 };

const JAR = 'My blender arrived with a cracked jar.';
const ADDRESS = 'Separately: please send order 5520 to my new address, 8 Quay Street.';
const DONE = 'Done: order 5520 now goes to 8 Quay Street.';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A customer's email, stored as the email channel stores one. */
async function emailArrived(web: WebAppContext, address: string, subject: string, body: string) {
  const { world } = web;
  const result = await ingestInbound(world.deps, inbound(world.channels.email, world.clock, { contact: { address, displayName: 'Maria Lopez' }, subject, body }));
  if (result.outcome !== 'stored') throw new Error(`the email was not stored: ${result.outcome}`);
  return result;
}

const ticketOf = (web: WebAppContext, id: string) => web.db.store.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const bodiesOf = async (web: WebAppContext, ticketId: string) =>
  (await web.db.store.db.selectFrom('messages').select('body').where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute()).map((m) => m.body);

const browser = useBrowser();

describe('splitting a ticket in the agent web app', { timeout: 90_000 }, () => {
  const web = useWebApp('sqlite');

  it('splits a ticket two matters were merged in, then switches the email channel to thread by conversation', async () => {
    const address = newAddress('email');
    const first = await emailArrived(web, address, 'Cracked blender jar', JAR);
    // Distinct milliseconds keep the thread's order plain to read.
    await pause(5);
    const second = await emailArrived(web, address, 'New delivery address', ADDRESS);
    expect(second.ticketId).toBe(first.ticketId);
    await pause(5);

    const page = await browser.newPage(DESKTOP);
    await web.signIn(page);
    // The team's answer through the API, on the agent's session (which, like the app, names its origin).
    const reply = await page.request.post(`${web.url}/api/tickets/${first.ticketId}/replies`, { headers: { origin: web.url }, data: { message: { kind: 'text', body: DONE } } });
    expect(reply.status()).toBe(201);
    expect(await bodiesOf(web, first.ticketId)).toEqual([JAR, ADDRESS, DONE]);

    await page.goto(`${web.url}/tickets/${first.ticketId}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(`#${first.ticketNumber}$`) }).waitFor();
    const thread = page.getByRole('list', { name: 'Conversation' });
    const bubble = (text: string) => thread.locator('.bubble').filter({ hasText: text });
    const splitButton = (text: string) => bubble(text).getByRole('button', { name: 'Split into a new ticket' });
    await bubble(DONE).waitFor();
    // The first message cannot be split off: the ticket would be left empty.
    expect(await splitButton(JAR).count()).toBe(0);
    expect(await splitButton(ADDRESS).count()).toBe(1);
    expect(await splitButton(DONE).count()).toBe(1);

    // It asks first, and Escape leaves the question with nothing moved, focus back on the action.
    const split = splitButton(ADDRESS);
    await split.focus();
    await page.keyboard.press('Enter');
    const confirm = bubble(ADDRESS).getByRole('group', { name: 'Confirm splitting' });
    await confirm.getByText(`Move this message and all later ones to a new ticket? Ticket #${first.ticketNumber} will be closed with the messages before it, and the new ticket continues it.`).waitFor();
    expect(await isOnScreen(page, confirm)).toBe(true);
    expect(await isFocused(confirm.getByRole('button', { name: 'Cancel' }))).toBe(true);
    await page.keyboard.press('Escape');
    await split.waitFor();
    expect(await isFocused(split)).toBe(true);
    expect(await confirm.count()).toBe(0);

    // A refusal reads as the API's own sentence on the message. The UI never offers the first message, so
    // the request is pointed at it on its way to the server.
    await page.route('**/split', (route) => route.continue({ postData: JSON.stringify({ messageId: first.messageId }) }));
    await page.keyboard.press('Enter');
    await confirm.getByRole('button', { name: 'Yes, split it' }).click();
    const refusal = bubble(ADDRESS).getByRole('alert');
    await refusal.getByText('This is the first message of the ticket: splitting here would leave the ticket empty.').waitFor();
    expect(await isOnScreen(page, refusal)).toBe(true);
    const refusalStyle = await readability(refusal);
    expect(refusalStyle.fontSize).toBeGreaterThanOrEqual(13);
    expect(refusalStyle.contrast).toBeGreaterThanOrEqual(4.5);
    expect(await bodiesOf(web, first.ticketId)).toEqual([JAR, ADDRESS, DONE]);
    await page.unroute('**/split');

    // Split at the second message, by keyboard.
    await split.focus();
    await page.keyboard.press('Enter');
    await confirm.getByRole('button', { name: 'Yes, split it' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname.startsWith('/tickets/') && !url.pathname.endsWith(first.ticketId));
    const newTicketId = new URL(page.url()).pathname.split('/').at(-1)!;
    const fresh = await ticketOf(web, newTicketId);
    await page.getByRole('heading', { level: 1, name: new RegExp(`#${fresh.number}$`) }).waitFor();

    // The new ticket says where it came from, on screen and readable.
    const notice = page.getByRole('status').filter({ hasText: `Split from #${first.ticketNumber}` });
    await notice.waitFor();
    expect(await notice.textContent()).toBe(`Split from #${first.ticketNumber}, which is now closed.`);
    expect(await isOnScreen(page, notice)).toBe(true);
    expect(await isUncovered(notice)).toBe(true);
    const noticeStyle = await readability(notice);
    expect(noticeStyle.fontSize).toBeGreaterThanOrEqual(13);
    expect(noticeStyle.contrast).toBeGreaterThanOrEqual(4.5);

    // It holds the moved messages, not the first one, and continues the old ticket.
    await bubble(ADDRESS).waitFor();
    await bubble(DONE).waitFor();
    expect(await bubble(JAR).count()).toBe(0);
    await thread.getByText(`Continues #${first.ticketNumber}`).waitFor();
    await thread.getByText('You split this ticket from the previous one').waitFor();
    // Its own first message is now the one it starts with.
    expect(await splitButton(ADDRESS).count()).toBe(0);
    expect(await splitButton(DONE).count()).toBe(1);
    expect(await bodiesOf(web, newTicketId)).toEqual([ADDRESS, DONE]);
    expect(await bodiesOf(web, first.ticketId)).toEqual([JAR]);
    expect(fresh.previous_ticket_id).toBe(first.ticketId);
    await saveScreenshot(page, 'ticket-split-new-ticket');

    // The old ticket reads as closed by the split, with nothing left to split.
    await thread.getByRole('link', { name: `#${first.ticketNumber}` }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(`#${first.ticketNumber}$`) }).waitFor();
    await page.getByText('This ticket is closed.').waitFor();
    const closed = thread.getByText('You closed the ticket: split into a new ticket');
    await closed.waitFor();
    expect(await isOnScreen(page, closed)).toBe(true);
    await bubble(JAR).waitFor();
    expect(await bubble(ADDRESS).count()).toBe(0);
    expect(await thread.getByRole('button', { name: 'Split into a new ticket' }).count()).toBe(0);
    const old = await ticketOf(web, first.ticketId);
    expect(old.status).toBe('closed');
    expect(old.close_reason).toBe('split');
    await saveScreenshot(page, 'ticket-split-old-ticket');

    // So that a new matter starts its own ticket next time: the email channel threads by conversation.
    const channel = web.world.channels.email;
    await page.goto(`${web.url}/settings/channels`);
    const item = page.locator('.settings-item').filter({ has: page.getByText(channel.name, { exact: true }) });
    await item.getByText('Threading: By sender').waitFor();
    await item.getByRole('button', { name: 'Edit' }).click();
    const choice = item.getByRole('group', { name: 'Threading' });
    await choice.waitFor();
    expect(await choice.getByRole('radio', { name: 'By sender' }).isChecked()).toBe(true);
    // Each choice explains itself in one sentence, read with it.
    await choice.getByText('Every mail from a customer joins their active ticket, whatever its subject.').waitFor();
    await choice.getByText(/^A mail on a new subject that answers none of the team's mails starts a new ticket;/).waitFor();
    expect(await choice.getByRole('radio', { name: 'By conversation' }).getAttribute('aria-describedby')).toBeTruthy();
    await choice.getByRole('radio', { name: 'By conversation' }).check();
    await item.getByRole('button', { name: 'Save' }).click();
    await item.getByText('Threading: By conversation').waitFor();
    const stored = async () => JSON.parse((await web.db.store.db.selectFrom('channels').select('config').where('id', '=', channel.id).executeTakeFirstOrThrow()).config) as Record<string, unknown>;
    expect(await stored()).toMatchObject({ threading: 'conversation', senderVerification: 'mark' });

    await page.reload();
    await item.getByText('Threading: By conversation').waitFor();
    await item.getByText('Sender verification: Mark unverified senders').waitFor();
    await item.getByRole('button', { name: 'Edit' }).click();
    expect(await choice.getByRole('radio', { name: 'By conversation' }).isChecked()).toBe(true);
    await choice.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'channel-threading-desktop');
  });
});

describe('the thread on why a ticket was closed', () => {
  const closedEvent = (reason: string, actor: Pick<TimelineEvent, 'actorKind' | 'actorUserId'>): TimelineEvent => ({ id: 'e', type: 'ticket.closed', data: { from: 'open', reason }, createdAt: 0, ...actor });
  const nameOf = (id: string | null) => (id === 'u1' ? 'You' : 'A teammate');

  it('says a ticket was split into a new one, or closed when the customer started a new conversation', () => {
    expect(describeEvent(closedEvent('split', { actorKind: 'user', actorUserId: 'u1' }), nameOf)).toBe('You closed the ticket: split into a new ticket');
    expect(describeEvent(closedEvent('new_conversation', { actorKind: 'system', actorUserId: null }), nameOf)).toBe('Closed: the customer started a new conversation');
    // An agent's own reason is kept as they wrote it.
    expect(describeEvent(closedEvent('duplicate', { actorKind: 'user', actorUserId: 'u1' }), nameOf)).toBe('You closed the ticket (duplicate)');
  });
});
