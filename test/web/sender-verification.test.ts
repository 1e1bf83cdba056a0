// Sender verification in the agent web app, in headless Chromium against the real server: the notice on a
// message from an unverified sender (readable, on screen, covering nothing and covered by nothing), the
// quiet "Sender verified" mark, "Held mail" for admins (release and discard), its absence for agents, and
// the email channel's "Sender verification" choice. The checks are not run here (no DNS): their results
// are written into the store as the server would. Screenshots for reviewers land in dist/screenshots/web.
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { hashPassword } from '../../src/modules/users/password.js';
import { insertUser } from '../../src/modules/users/user.repo.js';
import { isOnScreen, isUncovered } from '../support/on-screen.js';
import { saveScreenshot, useBrowser } from '../support/browser.js';
import { inbound, newAddress } from '../support/factories.js';
import { messageRow } from '../support/rows.js';
import { ADMIN_PASSWORD, useWebApp, type WebAppContext } from '../support/web-app.js';

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const browser = useBrowser();

const FORGED_SUMMARY = "DMARC failed for shop.example: neither SPF nor DKIM matched the sender's domain. It was authenticated only for mailer.attacker.test. The domain asks receivers to reject such mail.";
const VERIFIED_SUMMARY = "DMARC passed for trusted.example: both a DKIM signature and SPF matched the sender's domain.";

const unverifiedCheck = (extra: Record<string, unknown> = {}) => ({
  authenticity: 'unverified',
  summary: FORGED_SUMMARY,
  unverified: true,
  spf: 'pass',
  spfDomain: 'mailer.attacker.test',
  dkim: 'none',
  dkimDomain: null,
  dmarc: 'fail',
  arc: 'none',
  fromDomain: 'shop.example',
  dmarcPolicy: 'reject',
  aligned: false,
  reportedBy: null,
  ...extra,
});

const verifiedCheck = {
  authenticity: 'verified',
  summary: VERIFIED_SUMMARY,
  unverified: false,
  spf: 'pass',
  spfDomain: 'trusted.example',
  dkim: 'pass',
  dkimDomain: 'trusted.example',
  dmarc: 'pass',
  arc: 'none',
  fromDomain: 'trusted.example',
  dmarcPolicy: 'reject',
  aligned: true,
  reportedBy: null,
};

/** The computed text colour and size, to check a notice is readable. */
async function textStyle(locator: Locator): Promise<{ color: string; background: string; fontSize: number }> {
  return locator.evaluate((el: unknown) => {
    const css = (globalThis as unknown as { getComputedStyle(e: unknown): { color: string; backgroundColor: string; fontSize: string } }).getComputedStyle(el);
    return { color: css.color, background: css.backgroundColor, fontSize: Number.parseFloat(css.fontSize) };
  });
}

/** WCAG contrast ratio of two rgb() colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r, g, bl] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (bl ?? 0);
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** A customer's email stored with what the sender check found, as the email channel would store it. */
async function emailArrived(web: WebAppContext, options: { name: string; address?: string; subject: string; body: string; senderCheck?: Record<string, unknown> }) {
  const { world } = web;
  const result = await ingestInbound(
    world.deps,
    inbound(world.channels.email, world.clock, {
      contact: { address: options.address ?? newAddress('email'), displayName: options.name },
      subject: options.subject,
      body: options.body,
      ...(options.senderCheck ? { data: { senderCheck: options.senderCheck } } : {}),
    }),
  );
  if (result.outcome !== 'stored') throw new Error(`the email was not stored: ${result.outcome}`);
  if (options.senderCheck) expect(JSON.parse((await messageRow(world.deps.store, result.messageId)).data ?? '{}')).toEqual({ senderCheck: options.senderCheck });
  return result;
}

/** A held message as the email channel records it: the stored delivery (already read once) and the held row. */
async function holdMail(web: WebAppContext, options: { address: string; subject: string; receivedAt: number; decision?: { decision: 'released' | 'discarded'; at: number; userId: string } }) {
  const { world, db } = web;
  const channelId = world.channels.email.id;
  const payloadId = newId();
  const providerMessageId = `<${newId()}@shop.example>`;
  const raw = Buffer.from(
    [`From: ${options.address}`, `To: ${world.channels.email.external_id}`, `Subject: ${options.subject}`, `Message-ID: ${providerMessageId}`, `Date: ${new Date(options.receivedAt).toUTCString()}`, 'Content-Type: text/plain; charset=utf-8', '', 'Please send the refund to my new account: 12-3456-789.', ''].join('\r\n'),
  );
  await db.store.db
    .insertInto('inbound_payloads')
    .values({ id: payloadId, source: 'email-http', channel_id: channelId, raw, signature: null, received_at: options.receivedAt, attempts: 0, available_at: options.receivedAt, locked_until: null, processed_at: options.receivedAt, last_error: null })
    .execute();
  const id = newId();
  await db.store.db
    .insertInto('inbound_held')
    .values({
      id,
      workspace_id: world.workspaceId,
      channel_id: channelId,
      payload_id: payloadId,
      provider_message_id: providerMessageId,
      address: options.address,
      subject: options.subject,
      reason: 'unverified_sender',
      verdict: JSON.stringify(unverifiedCheck()),
      received_at: options.receivedAt,
      decided_at: options.decision?.at ?? null,
      decided_by_user_id: options.decision?.userId ?? null,
      decision: options.decision?.decision ?? null,
    })
    .execute();
  return { id, payloadId };
}

const heldRow = (web: WebAppContext, id: string) => web.db.store.db.selectFrom('inbound_held').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const payloadRow = (web: WebAppContext, id: string) => web.db.store.db.selectFrom('inbound_payloads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('sender verification in the agent web app', { timeout: 90_000 }, () => {
  const web = useWebApp('sqlite');

  it('marks a message from an unverified sender with a readable notice above its text, and a verified one quietly', async () => {
    const forged = await emailArrived(web, {
      name: 'Shop Example Billing',
      address: 'billing@shop.example',
      subject: 'Change of bank details',
      body: 'Hello, our bank details have changed. Please send the refund for order 4471 to our new account 12-3456-789 from now on.',
      senderCheck: unverifiedCheck(),
    });
    const released = await emailArrived(web, {
      name: 'Paula Released',
      subject: 'Invoice copy',
      body: 'Could you send me a copy of the invoice?',
      senderCheck: unverifiedCheck({ released: true }),
    });
    const address = newAddress('email');
    const trusted = await emailArrived(web, { name: 'Tomas Trusted', address, subject: 'Where is my order?', body: 'My order 5520 has not arrived yet.', senderCheck: verifiedCheck });
    const unknown = await emailArrived(web, {
      name: 'Tomas Trusted',
      address,
      subject: 'Re: Where is my order?',
      body: 'Any news about it?',
      senderCheck: { ...verifiedCheck, authenticity: 'unknown', summary: 'No DMARC result was reported for the message, so its sender could not be checked.' },
    });
    expect(unknown.ticketId).toBe(trusted.ticketId);

    for (const [viewport, size] of [
      [DESKTOP, 'desktop'],
      [PHONE, 'phone'],
    ] as const) {
      const page = await browser.newPage(viewport);
      await web.signIn(page);
      await page.goto(`${web.url}/tickets/${forged.ticketId}`);
      await page.getByRole('heading', { level: 1, name: new RegExp(`#${forged.ticketNumber}$`) }).waitFor();
      const thread = page.getByRole('list', { name: 'Conversation' });
      const bubble = thread.locator(`[data-message-id="${forged.messageId}"]`);
      const notice = bubble.getByRole('note', { name: 'Unverified sender' });
      await notice.waitFor();
      await notice.getByText('Unverified sender', { exact: true }).waitFor();
      await notice.getByText(FORGED_SUMMARY).waitFor();
      expect(await notice.getByText('released by an admin').count()).toBe(0);
      const text = bubble.getByText(/our bank details have changed/);

      // A person sees the notice and the message whole: both on screen, nothing over either, one above the other.
      expect(await isOnScreen(page, notice)).toBe(true);
      await expect.poll(() => isUncovered(notice)).toBe(true);
      expect(await isOnScreen(page, text)).toBe(true);
      await expect.poll(() => isUncovered(text)).toBe(true);
      const noticeBox = (await notice.boundingBox())!;
      const textBox = (await text.boundingBox())!;
      expect(noticeBox.y + noticeBox.height).toBeLessThanOrEqual(textBox.y);
      const style = await textStyle(notice.getByText(FORGED_SUMMARY));
      expect(style.fontSize).toBeGreaterThanOrEqual(12);
      expect(contrast(style.color, (await textStyle(notice)).background)).toBeGreaterThanOrEqual(7);

      await saveScreenshot(page, `sender-unverified-${size}`);

      // What was checked unfolds on demand, inside the notice.
      expect(await notice.getByText('failed (policy: reject)').isVisible()).toBe(false);
      await notice.getByText('What was checked').click();
      await notice.getByText('failed (policy: reject)').waitFor();
      await notice.getByText('passed for mailer.attacker.test').waitFor();
      await expect.poll(() => isUncovered(notice)).toBe(true);

      // A message an admin released says so.
      await page.goto(`${web.url}/tickets/${released.ticketId}`);
      const releasedNotice = thread.locator(`[data-message-id="${released.messageId}"]`).getByRole('note', { name: 'Unverified sender' });
      await releasedNotice.getByText('released by an admin').waitFor();
      expect(await isOnScreen(page, releasedNotice)).toBe(true);
      await expect.poll(() => isUncovered(releasedNotice)).toBe(true);

      // Verified: a quiet mark whose summary is the accessible description and unfolds on demand; unknown: nothing.
      await page.goto(`${web.url}/tickets/${trusted.ticketId}`);
      const verifiedBubble = thread.locator(`[data-message-id="${trusted.messageId}"]`);
      const mark = verifiedBubble.getByText('Sender verified');
      await mark.waitFor();
      expect(await verifiedBubble.getByRole('note', { name: 'Unverified sender' }).count()).toBe(0);
      expect(await verifiedBubble.locator('summary').getAttribute('aria-description')).toBe(VERIFIED_SUMMARY);
      expect(await verifiedBubble.getByText(VERIFIED_SUMMARY).isVisible()).toBe(false);
      await verifiedBubble.getByText('My order 5520 has not arrived yet.').waitFor();
      const unknownBubble = thread.locator(`[data-message-id="${unknown.messageId}"]`);
      await unknownBubble.getByText('Any news about it?').waitFor();
      expect(await unknownBubble.getByText(/Sender verified|Unverified sender/).count()).toBe(0);
      await mark.click();
      await verifiedBubble.getByText(VERIFIED_SUMMARY).waitFor();
      await expect.poll(() => isUncovered(verifiedBubble.getByText('My order 5520 has not arrived yet.'))).toBe(true);
      await saveScreenshot(page, `sender-verified-${size}`);
    }
  });

  it('lets an admin release or discard held mail, newest first, and says what the page is for when nothing is held', async () => {
    const page = await browser.newPage(DESKTOP);
    await web.signIn(page);
    await page.getByRole('link', { name: 'Settings' }).click();
    const nav = page.getByRole('navigation', { name: 'Settings' });
    await nav.getByRole('link', { name: 'Held mail' }).click();
    await page.getByRole('heading', { name: 'Held mail' }).waitFor();
    await page.getByText(/^No held mail\. An email whose sender cannot be verified .* waits here .* until an admin releases it to its ticket or discards it\.$/).waitFor();
    await saveScreenshot(page, 'held-mail-empty-desktop');

    const now = web.world.clock.now();
    const older = await holdMail(web, { address: 'accounts@shop.example', subject: 'Urgent: confirm your password', receivedAt: now - 3 * HOUR });
    const newer = await holdMail(web, { address: 'billing@shop.example', subject: 'Change of bank details', receivedAt: now - 20 * MINUTE });
    await holdMail(web, { address: 'ceo@shop.example', subject: 'Gift cards, quickly', receivedAt: now - 2 * 24 * HOUR, decision: { decision: 'discarded', at: now - 24 * HOUR, userId: web.admin.userId } });
    await page.reload();
    const list = page.getByRole('list', { name: 'Held messages' });
    const items = list.getByRole('listitem');
    await items.first().waitFor();
    expect(await items.count()).toBe(3);
    // Newest first, each with the sender, the subject, what the check found and when it came.
    for (const [index, [address, subject]] of [
      ['billing@shop.example', 'Change of bank details'],
      ['accounts@shop.example', 'Urgent: confirm your password'],
      ['ceo@shop.example', 'Gift cards, quickly'],
    ].entries()) {
      const item = items.nth(index);
      await item.getByText(address!, { exact: true }).waitFor();
      await item.getByText(subject!, { exact: true }).waitFor();
      await item.getByText(FORGED_SUMMARY).waitFor();
      await item.getByText(/^Received /).waitFor();
    }
    await page.getByText('2 messages are waiting for a decision.').waitFor();
    const decided = items.nth(2);
    await decided.getByText(/^Discarded by You · /).waitFor();
    expect(await decided.getByRole('button').count()).toBe(0);
    await saveScreenshot(page, 'held-mail-desktop');

    // Release: the stored delivery is read again, and the page shows the decision.
    const release = items.nth(0);
    await release.getByRole('button', { name: 'Release to the ticket' }).click();
    await release.getByText(/^Released to the ticket by You · /).waitFor();
    expect(await release.getByRole('button').count()).toBe(0);
    expect(await heldRow(web, newer.id)).toMatchObject({ decision: 'released', decided_by_user_id: web.admin.userId });
    expect((await payloadRow(web, newer.payloadId)).processed_at).toBeNull();
    await page.getByText('1 message is waiting for a decision.').waitFor();

    // Discard asks first; "Keep it" changes nothing.
    const discard = items.nth(1);
    await discard.getByRole('button', { name: 'Discard' }).click();
    const confirm = discard.getByRole('group', { name: 'Confirm discarding' });
    await confirm.getByText('Discard this mail? It will not reach any ticket; it stays listed here as discarded.').waitFor();
    expect(await isOnScreen(page, confirm)).toBe(true);
    await saveScreenshot(page, 'held-mail-confirm-discard-desktop');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await discard.getByRole('button', { name: 'Release to the ticket' }).waitFor();
    expect((await heldRow(web, older.id)).decision).toBeNull();
    await discard.getByRole('button', { name: 'Discard' }).click();
    await discard.getByRole('button', { name: 'Yes, discard it' }).click();
    await discard.getByText(/^Discarded by You · /).waitFor();
    expect(await heldRow(web, older.id)).toMatchObject({ decision: 'discarded', decided_by_user_id: web.admin.userId });
    expect((await payloadRow(web, older.payloadId)).processed_at).not.toBeNull();
    await page.getByText('Nothing is waiting for a decision.').waitFor();

    // After a reload the decisions stay.
    await page.reload();
    await items.nth(0).getByText(/^Released to the ticket by You · /).waitFor();
    await items.nth(1).getByText(/^Discarded by You · /).waitFor();
    await saveScreenshot(page, 'held-mail-decided-desktop');

    // A phone-sized screen shows the same page in one column, nothing off screen sideways.
    const third = await holdMail(web, { address: 'support@shop.example', subject: 'Your account will be closed', receivedAt: web.world.clock.now() });
    await page.setViewportSize(PHONE);
    await page.reload();
    const first = items.nth(0);
    await first.getByText('support@shop.example', { exact: true }).waitFor();
    const releaseButton = first.getByRole('button', { name: 'Release to the ticket' });
    await releaseButton.scrollIntoViewIfNeeded();
    expect(await isOnScreen(page, releaseButton)).toBe(true);
    expect(await isOnScreen(page, first.getByRole('button', { name: 'Discard' }))).toBe(true);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await saveScreenshot(page, 'held-mail-phone');
    await releaseButton.click();
    await first.getByText(/^Released to the ticket by You · /).waitFor();
    expect((await heldRow(web, third.id)).decision).toBe('released');

    // Another admin deciding first: the page says so and shows their decision.
    const raced = await holdMail(web, { address: 'raced@shop.example', subject: 'Two admins at once', receivedAt: web.world.clock.now() });
    await page.reload();
    const racedItem = items.nth(0);
    await racedItem.getByText('raced@shop.example', { exact: true }).waitFor();
    await web.db.store.db.updateTable('inbound_held').set({ decision: 'discarded', decided_at: web.world.clock.now(), decided_by_user_id: web.admin.userId }).where('id', '=', raced.id).execute();
    await racedItem.getByRole('button', { name: 'Release to the ticket' }).click();
    await racedItem.getByRole('alert').getByText('This message was already discarded.').waitFor();
    await racedItem.getByText(/^Discarded by You · /).waitFor();
  });

  it('shows agents no "Held mail" link, and sends an agent who opens its address to their own settings', async () => {
    const email = `agent-${newId().slice(-8)}@brand.test`;
    await insertUser(web.db.store.db, { workspaceId: web.world.workspaceId, email, name: 'Aldo Agent', role: 'agent', passwordHash: await hashPassword(ADMIN_PASSWORD) }, web.world.clock.now());
    await holdMail(web, { address: 'billing@shop.example', subject: 'Change of bank details', receivedAt: web.world.clock.now() });
    const page = await browser.newPage(DESKTOP);
    await page.goto(web.url);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('searchbox', { name: 'Search tickets' }).waitFor();

    await page.getByRole('link', { name: 'Settings' }).click();
    const nav = page.getByRole('navigation', { name: 'Settings' });
    await nav.getByRole('link', { name: 'API tokens' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Held mail' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Channels' }).count()).toBe(0);

    // The address itself leads where every admin page leads an agent: their own settings.
    await page.goto(`${web.url}/settings/held-mail`);
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/settings/tokens');
    expect(await page.getByRole('heading', { name: 'Held mail' }).count()).toBe(0);
    expect(await page.getByText('billing@shop.example').count()).toBe(0);
    // And the API refuses them.
    expect((await page.request.get(`${web.url}/api/inbound-payloads?state=held`)).status()).toBe(403);
    await saveScreenshot(page, 'held-mail-agent-desktop');
  });

  it("saves the email channel's sender verification choice through the channel's settings", async () => {
    const channel = web.world.channels.email;
    const page = await browser.newPage(DESKTOP);
    await web.signIn(page);
    await page.goto(`${web.url}/settings/channels`);
    const item = page.locator('.settings-item').filter({ has: page.getByText(channel.name, { exact: true }) });
    await item.getByText('Sender verification: Mark unverified senders').waitFor();
    await item.getByRole('button', { name: 'Edit' }).click();
    const choice = item.getByRole('group', { name: 'Sender verification' });
    await choice.waitFor();
    const off = choice.getByRole('radio', { name: 'Off' });
    const mark = choice.getByRole('radio', { name: 'Mark unverified senders' });
    const hold = choice.getByRole('radio', { name: 'Hold unverified mail for an admin' });
    expect(await mark.isChecked()).toBe(true);
    expect(await off.isChecked()).toBe(false);
    // Each choice explains itself in one line.
    expect(await off.getAttribute('aria-describedby')).toBeTruthy();
    await choice.getByText('Mail is not checked: every From address is trusted and joins its conversation as it always did.').waitFor();
    await choice.getByText(/^Agents see a warning on mail whose sender could not be verified/).waitFor();
    await choice.getByText(/^Every mail whose sender could not be verified waits under Held mail/).waitFor();
    await hold.check();
    await saveScreenshot(page, 'channel-sender-verification-desktop');
    await item.getByRole('button', { name: 'Save' }).click();
    await item.getByText('Sender verification: Hold unverified mail for an admin').waitFor();
    const stored = async () => {
      const row = await web.db.store.db.selectFrom('channels').select('config').where('id', '=', channel.id).executeTakeFirstOrThrow();
      return (JSON.parse(row.config) as Record<string, unknown>).senderVerification;
    };
    expect(await stored()).toBe('quarantine');

    // The form opens on the saved choice; choosing Off saves Off.
    await item.getByRole('button', { name: 'Edit' }).click();
    expect(await choice.getByRole('radio', { name: 'Hold unverified mail for an admin' }).isChecked()).toBe(true);
    await choice.getByRole('radio', { name: 'Off' }).check();
    await item.getByRole('button', { name: 'Save' }).click();
    await item.getByText('Sender verification: Off').waitFor();
    expect(await stored()).toBe('off');

    await page.setViewportSize(PHONE);
    await item.getByRole('button', { name: 'Edit' }).click();
    await choice.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'channel-sender-verification-phone');
  });
});
