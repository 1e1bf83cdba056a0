// Webhooks an admin sets up for integrations: create (a generated secret is shown once), list, read,
// change, rotate the secret, delete. Every query is scoped to the caller's workspace; the secret is
// never read back out after it was shown. A URL leading to a private address is refused unless allowed.
import type { Caller } from '../../domain/caller.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { normalizeEventTypes, type WebhookEventType } from '../../domain/webhooks.js';
import { newId } from '../../lib/ids.js';
import { newSecret } from '../auth/secrets.js';
import type { Deps } from '../deps.js';
import { requirePublicUrl } from '../outbound-urls.js';

export interface WebhookView {
  id: string;
  url: string;
  eventTypes: WebhookEventType[];
  enabled: boolean;
  description: string | null;
  createdAt: number;
  updatedAt: number;
  lastDeliveryAt: number | null;
  /** When a delivery was last given up on, and why (for the admin to act on). */
  lastFailureAt: number | null;
  lastFailureReason: string | null;
}

export interface NewWebhook {
  url: string;
  eventTypes: WebhookEventType[];
  description?: string | null;
  /** The admin's own signing secret; one is generated (and returned once) when absent. */
  secret?: string;
}

export interface WebhookChanges {
  url?: string;
  eventTypes?: WebhookEventType[];
  enabled?: boolean;
  description?: string | null;
}

const SECRET_PREFIX = 'whsec_';

// Every column but the secret.
const VIEW_COLUMNS = ['id', 'url', 'event_types', 'enabled', 'description', 'created_at', 'updated_at', 'last_delivery_at', 'last_failure_at', 'last_failure_reason'] as const;

type ViewRow = {
  id: string;
  url: string;
  event_types: string;
  enabled: number;
  description: string | null;
  created_at: number;
  updated_at: number;
  last_delivery_at: number | null;
  last_failure_at: number | null;
  last_failure_reason: string | null;
};

function toView(row: ViewRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    eventTypes: JSON.parse(row.event_types) as WebhookEventType[],
    enabled: row.enabled === 1,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastDeliveryAt: row.last_delivery_at,
    lastFailureAt: row.last_failure_at,
    lastFailureReason: row.last_failure_reason,
  };
}

/** Webhooks send the workspace's data to other systems: only its admins may see or change them. */
function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') throw new DomainError({ code: 'FORBIDDEN', message: 'Only an admin of this workspace can manage webhooks.' });
}

function subscribedTypes(types: readonly WebhookEventType[]): WebhookEventType[] {
  const normalized = normalizeEventTypes(types);
  if (normalized.length === 0) throw new DomainError({ code: 'VALIDATION_FAILED', message: 'Choose at least one event type for the webhook to receive.' });
  return normalized;
}

const webhookNotFound = () => notFound('The webhook');

export async function listWebhooks(deps: Pick<Deps, 'store'>, caller: Caller): Promise<WebhookView[]> {
  requireAdmin(caller);
  const rows = await deps.store.db.selectFrom('webhooks').select(VIEW_COLUMNS).where('workspace_id', '=', caller.workspaceId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toView);
}

export async function getWebhook(deps: Pick<Deps, 'store'>, caller: Caller, id: string): Promise<WebhookView> {
  requireAdmin(caller);
  const row = await deps.store.db.selectFrom('webhooks').select(VIEW_COLUMNS).where('id', '=', id).where('workspace_id', '=', caller.workspaceId).executeTakeFirst();
  if (!row) throw webhookNotFound();
  return toView(row);
}

/**
 * Creates an enabled webhook. It receives only events that happen after this moment: it starts after
 * the newest realtime event there is now. `secret` is the generated one, or null when the admin gave theirs.
 */
export async function createWebhook(deps: Pick<Deps, 'store' | 'clock' | 'allowPrivateOutboundUrls'>, caller: Caller, input: NewWebhook): Promise<{ webhook: WebhookView; secret: string | null }> {
  requireAdmin(caller);
  const eventTypes = subscribedTypes(input.eventTypes);
  await requirePublicUrl(deps, input.url, 'url');
  const secret = input.secret ?? newSecret(SECRET_PREFIX);
  const now = deps.clock.now();
  const row = await deps.store.unit(async (trx) => {
    const newest = await trx.selectFrom('realtime_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    return trx
      .insertInto('webhooks')
      .values({
        id: newId(),
        workspace_id: caller.workspaceId,
        url: input.url,
        secret,
        event_types: JSON.stringify(eventTypes),
        enabled: 1,
        description: input.description ?? null,
        start_after_seq: Number(newest?.seq ?? 0),
        created_at: now,
        updated_at: now,
        last_delivery_at: null,
        last_failure_at: null,
        last_failure_reason: null,
      })
      .returning(VIEW_COLUMNS)
      .executeTakeFirstOrThrow();
  });
  return { webhook: toView(row), secret: input.secret === undefined ? secret : null };
}

/** Changes what was given. A disabled webhook receives nothing, and deliveries still queued for it are dropped. */
export async function updateWebhook(deps: Pick<Deps, 'store' | 'clock' | 'allowPrivateOutboundUrls'>, caller: Caller, id: string, changes: WebhookChanges): Promise<WebhookView> {
  requireAdmin(caller);
  const eventTypes = changes.eventTypes === undefined ? undefined : subscribedTypes(changes.eventTypes);
  if (changes.url !== undefined) await requirePublicUrl(deps, changes.url, 'url');
  const row = await deps.store.unit((trx) =>
    trx
      .updateTable('webhooks')
      .set({
        updated_at: deps.clock.now(),
        ...(changes.url === undefined ? {} : { url: changes.url }),
        ...(eventTypes === undefined ? {} : { event_types: JSON.stringify(eventTypes) }),
        ...(changes.enabled === undefined ? {} : { enabled: changes.enabled ? 1 : 0 }),
        ...(changes.description === undefined ? {} : { description: changes.description }),
      })
      .where('id', '=', id)
      .where('workspace_id', '=', caller.workspaceId)
      .returning(VIEW_COLUMNS)
      .executeTakeFirst(),
  );
  if (!row) throw webhookNotFound();
  return toView(row);
}

/** Replaces the secret at once; deliveries from now on, retries included, are signed with the new one. */
export async function rotateWebhookSecret(deps: Pick<Deps, 'store' | 'clock'>, caller: Caller, id: string): Promise<{ webhook: WebhookView; secret: string }> {
  requireAdmin(caller);
  const secret = newSecret(SECRET_PREFIX);
  const row = await deps.store.unit((trx) =>
    trx.updateTable('webhooks').set({ secret, updated_at: deps.clock.now() }).where('id', '=', id).where('workspace_id', '=', caller.workspaceId).returning(VIEW_COLUMNS).executeTakeFirst(),
  );
  if (!row) throw webhookNotFound();
  return { webhook: toView(row), secret };
}

/** Deletes the webhook; deliveries still queued for it are dropped when their turn comes. */
export async function deleteWebhook(deps: Pick<Deps, 'store'>, caller: Caller, id: string): Promise<void> {
  requireAdmin(caller);
  const result = await deps.store.unit((trx) => trx.deleteFrom('webhooks').where('id', '=', id).where('workspace_id', '=', caller.workspaceId).executeTakeFirst());
  if (result.numDeletedRows === 0n) throw webhookNotFound();
}
