// seedDemo: a demo workspace that shows the product at once: an admin, the three channels in sandbox
// mode, WhatsApp templates, an auto-close rule and a few customer and agent tickets.
import { randomBytes } from 'node:crypto';
import { HOUR, MINUTE, DAY } from '../../domain/clock.js';
import { newId } from '../../lib/ids.js';
import { newSecret } from '../auth/secrets.js';
import { insertChannel } from '../channels/channel.repo.js';
import { putAutoCloseRule } from '../auto-close/auto-close-rules.js';
import type { Deps } from '../deps.js';
import { ingestInbound } from '../messages/ingest-inbound.js';
import { startTicket } from '../messages/start-ticket.js';
import { hashPassword } from '../users/password.js';
import { findUserByEmail, insertUser } from '../users/user.repo.js';
import { insertWorkspace } from '../workspaces/workspace.repo.js';

export const DEMO_ADMIN_EMAIL = 'admin@demo.threadbox.test';

export type SeedResult = { created: true; email: string; password: string; workspaceId: string } | { created: false; email: string };

/** Creates the demo workspace unless it exists; the admin's generated password is returned once. */
export async function seedDemo(deps: Deps): Promise<SeedResult> {
  if (await findUserByEmail(deps.store.db, DEMO_ADMIN_EMAIL)) return { created: false, email: DEMO_ADMIN_EMAIL };
  const now = deps.clock.now();
  const password = randomBytes(9).toString('base64url');
  const workspace = await insertWorkspace(deps.store.db, 'Demo Shop', now);
  const admin = await insertUser(deps.store.db, { workspaceId: workspace.id, email: DEMO_ADMIN_EMAIL, name: 'Demo Admin', role: 'admin', passwordHash: await hashPassword(password) }, now);
  await insertUser(deps.store.db, { workspaceId: workspace.id, email: 'agent@demo.threadbox.test', name: 'Sam Agent', role: 'agent', passwordHash: await hashPassword(randomBytes(12).toString('base64url')) }, now);

  const suffix = workspace.id.slice(-12);
  const whatsapp = await insertChannel(deps.store.db, { workspaceId: workspace.id, kind: 'whatsapp', name: 'WhatsApp (sandbox)', externalId: `sandbox-${suffix}`, sandbox: true, config: { displayPhoneNumber: '+1 555 000 1111' }, secrets: { appSecret: newSecret('sandbox_') } }, now);
  const instagram = await insertChannel(deps.store.db, { workspaceId: workspace.id, kind: 'instagram', name: 'Instagram (sandbox)', externalId: `9${BigInt('0x' + suffix).toString().slice(0, 15)}`, sandbox: true, config: { username: 'demo.shop' }, secrets: { appSecret: newSecret('sandbox_') } }, now);
  const email = await insertChannel(deps.store.db, { workspaceId: workspace.id, kind: 'email', name: 'Support email (sandbox)', externalId: `support-${suffix}@demo.threadbox.test`, sandbox: true }, now);
  await insertDemoTemplates(deps, workspace.id, whatsapp.id, now);
  await putAutoCloseRule(deps, workspace.id, { channelId: whatsapp.id, kind: 'customer_inactivity', durationMinutes: (3 * DAY) / MINUTE, enabled: true });

  await ingestInbound(deps, { channelId: whatsapp.id, providerMessageId: `demo.${newId()}`, sentAt: now - 2 * HOUR, contact: { address: '15550102030', displayName: 'Maria Santos' }, kind: 'text', body: 'Hi! Where is my order #1042? It was supposed to arrive yesterday.' });
  await ingestInbound(deps, { channelId: instagram.id, providerMessageId: `demo.${newId()}`, sentAt: now - 3 * DAY, contact: { address: '17841400000000001', displayName: 'Jonas Weber', username: 'jonas.w' }, kind: 'text', body: 'Do you ship the linen shirt to Germany?' });
  await ingestInbound(deps, { channelId: email.id, providerMessageId: `<demo.${newId()}@mail.example>`, sentAt: now - 30 * MINUTE, contact: { address: 'priya@example.com', displayName: 'Priya Nair' }, kind: 'text', subject: 'Refund for a damaged mug', body: 'Hello, the mug in my last order arrived broken. Could I get a refund?' });
  await startTicket(deps, { kind: 'user', userId: admin.id, workspaceId: workspace.id }, {
    channelId: whatsapp.id,
    contact: { address: '+44 7700 900123', name: 'Oliver Bennett' },
    message: { kind: 'template', body: 'Hi Oliver, your order #1038 has shipped.', template: { name: 'order_shipped', language: 'en_US', parameters: { body: ['Oliver', '#1038'] } } },
  });
  return { created: true, email: DEMO_ADMIN_EMAIL, password, workspaceId: workspace.id };
}

async function insertDemoTemplates(deps: Deps, workspaceId: string, channelId: string, now: number): Promise<void> {
  const templates = [
    { name: 'order_shipped', category: 'UTILITY', text: 'Hi {{1}}, your order {{2}} has shipped.' },
    { name: 'follow_up', category: 'UTILITY', text: 'Hi {{1}}, we are following up on your request. Reply to this message to continue.' },
  ];
  await deps.store.db
    .insertInto('templates')
    .values(
      templates.map((t) => ({
        id: newId(),
        workspace_id: workspaceId,
        channel_id: channelId,
        name: t.name,
        language: 'en_US',
        category: t.category,
        status: 'APPROVED',
        components: JSON.stringify([{ type: 'BODY', text: t.text }]),
        updated_at: now,
      })),
    )
    .execute();
}
