// Connecting and configuring channels (admin). Secrets are write-only: stored with the channel,
// reported only as which ones are set. A provider account routes to exactly one channel across the
// whole installation, because webhooks are routed by it before any workspace is known.
import { z } from 'zod';
import { channelSetup } from '../../channels/registry.js';
import { engineOf } from '../../db/dialect/engine.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { ChannelRow } from '../../db/schema.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { ChannelKind } from '../../domain/reply-policy.js';
import { newId } from '../../lib/ids.js';
import { fromJson } from '../../lib/json.js';
import { newSecret } from '../auth/secrets.js';
import type { Deps } from '../deps.js';
import { requirePublicUrl } from '../outbound-urls.js';
import { clearChannelAttention } from './channel-attention.js';
import { noteChannelsChanged } from './channel.repo.js';

type Settings = Record<string, unknown>;

export interface NewChannelInput {
  kind: ChannelKind;
  name: string;
  sandbox?: boolean;
  settings?: Settings;
  secrets?: Record<string, string>;
  /** Meta channels: the token Meta's webhook verification must present; generated when absent. */
  verifyToken?: string;
}

export interface ChannelChange {
  name?: string;
  enabled?: boolean;
  /** Merged into the current settings; the account the channel routes on cannot change. */
  settings?: Settings;
  /** Each given secret replaces the stored one; null removes it. */
  secrets?: Record<string, string | null>;
  verifyToken?: string;
}

export interface ChannelView {
  id: string;
  kind: ChannelKind;
  name: string;
  sandbox: boolean;
  enabled: boolean;
  accountId: string;
  settings: Settings;
  /** Names of the secrets that are set; their values are never returned. */
  secretsSet: string[];
  /** Where the provider must send this channel's webhooks, and the token it verifies them with. */
  webhook: { url: string; verifyToken: string } | null;
  /** Set when the provider refused the channel's credentials: its messages wait until an admin replaces them. */
  attention: { reason: string; since: number } | null;
  /** When the provider's templates were last synced (WhatsApp); null until the first sync. */
  templatesSyncedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

interface StoredConfig extends Settings {
  verifyToken?: string;
}

type AdminDeps = Pick<Deps, 'store' | 'clock' | 'allowPrivateOutboundUrls'>;

/**
 * A live channel's Graph base URL receives its access token: one leading to a private address is refused
 * (422 URL_NOT_ALLOWED) unless PRIVATE_OUTBOUND_URLS=allow. Sandbox channels talk to local fakes.
 */
async function checkGraphBaseUrl(deps: AdminDeps, settings: Settings | undefined): Promise<void> {
  const url = settings?.graphBaseUrl;
  if (typeof url === 'string' && url !== '') await requirePublicUrl(deps, url, 'settings.graphBaseUrl');
}

/** Checks a change against the kind's own schema (the API cannot, before it knows the channel's kind). */
function checkedFor<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: [field, ...i.path].join('.'), message: i.message }));
  throw new DomainError({ code: 'VALIDATION_FAILED', message: `The request is not valid: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}.`, details: { issues } });
}

const invalid = (message: string, field: string) => new DomainError({ code: 'VALIDATION_FAILED', message, details: { field } });

const accountTaken = (kind: ChannelKind, account: string) =>
  new DomainError({ code: 'CHANNEL_ACCOUNT_TAKEN', message: `The ${kind} account ${account} is already connected to a channel.`, details: { field: 'settings' } });

/** The account id a channel routes on, in its canonical form. */
function accountOf(input: NewChannelInput, channelId: string): string {
  const setup = channelSetup(input.kind);
  const raw = input.settings?.[setup.accountField];
  if (typeof raw !== 'string' || raw === '') {
    if (input.sandbox) return setup.sandboxAccount(channelId);
    throw invalid(`A live ${input.kind} channel needs settings.${setup.accountField}.`, `settings.${setup.accountField}`);
  }
  const account = setup.normalizeAccount ? setup.normalizeAccount(raw) : raw;
  if (!account) throw invalid(`"${raw}" is not a valid address.`, `settings.${setup.accountField}`);
  return account;
}

function requireLiveSecrets(kind: ChannelKind, sandbox: boolean, secrets: Record<string, unknown>): void {
  if (sandbox) return;
  const missing = channelSetup(kind).requiredSecrets.filter((name) => !secrets[name]);
  if (missing.length) throw invalid(`A live ${kind} channel needs ${missing.map((m) => `secrets.${m}`).join(' and ')}.`, `secrets.${missing[0]}`);
}

/** Connects a channel to the workspace. */
export async function createChannel(deps: AdminDeps, workspaceId: string, input: NewChannelInput): Promise<ChannelRow> {
  const id = newId();
  const setup = channelSetup(input.kind);
  const accountId = accountOf(input, id);
  // A sandbox Meta channel signs and verifies its fake provider's webhooks like Meta's, with a secret of its own.
  const secrets = input.sandbox && setup.webhookPath && !input.secrets?.appSecret ? { ...input.secrets, appSecret: newSecret('sandbox_') } : (input.secrets ?? {});
  requireLiveSecrets(input.kind, input.sandbox ?? false, secrets);
  if (!input.sandbox) await checkGraphBaseUrl(deps, input.settings);
  const config: StoredConfig = { ...input.settings, [setup.accountField]: accountId };
  if (setup.webhookPath) config.verifyToken = input.verifyToken ?? newSecret('tbv_');
  const now = deps.clock.now();
  try {
    return await deps.store.unit((trx) =>
      trx
        .insertInto('channels')
        .values({
          id,
          workspace_id: workspaceId,
          kind: input.kind,
          name: input.name,
          external_id: accountId,
          config: JSON.stringify(config),
          secrets: JSON.stringify(secrets),
          sandbox: input.sandbox ? 1 : 0,
          enabled: 1,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw accountTaken(input.kind, accountId);
    throw error;
  }
}

/** Renames, reconfigures, switches on or off, or rotates the secrets of a channel. */
export async function updateChannel(deps: AdminDeps, workspaceId: string, channelId: string, change: ChannelChange): Promise<ChannelRow> {
  // Resolved before the transaction (no network wait inside one); applied only if the channel is live.
  const graphBaseUrlRefusal = await checkGraphBaseUrl(deps, change.settings).then(
    () => null,
    (error: unknown) => {
      if (error instanceof DomainError && error.code === 'URL_NOT_ALLOWED') return error;
      throw error;
    },
  );
  const updated = await deps.store.unit(async (trx) => {
    const current = await trx.selectFrom('channels').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', channelId).$if(engineOf(trx) === 'postgres', (qb) => qb.forUpdate()).executeTakeFirst();
    if (!current) throw notFound('The channel');
    const setup = channelSetup(current.kind);
    const settings = checkedFor(setup.settings.partial(), change.settings ?? {}, 'settings');
    const given = Object.entries(change.secrets ?? {});
    checkedFor(setup.secrets.partial(), Object.fromEntries(given.filter(([, v]) => v !== null)), 'secrets');
    checkedFor(z.array(z.enum(Object.keys(setup.secrets.shape) as [string, ...string[]])), given.filter(([, v]) => v === null).map(([k]) => k), 'secrets');
    const config = fromJson<StoredConfig>(current.config) ?? {};
    const account = settings[setup.accountField];
    if (account !== undefined && account !== config[setup.accountField]) {
      throw invalid(`A channel keeps the ${current.kind} account it was connected with; connect a new channel for another account.`, `settings.${setup.accountField}`);
    }
    if (graphBaseUrlRefusal && current.sandbox !== 1) throw graphBaseUrlRefusal;
    const nextConfig: StoredConfig = { ...config, ...settings };
    if (change.verifyToken !== undefined) {
      if (!setup.webhookPath) throw invalid(`A ${current.kind} channel has no webhook verify token.`, 'verifyToken');
      nextConfig.verifyToken = change.verifyToken;
    }
    const secrets: Record<string, unknown> = { ...fromJson<Record<string, unknown>>(current.secrets) };
    for (const [name, value] of given) {
      if (value === null) delete secrets[name];
      else secrets[name] = value;
    }
    requireLiveSecrets(current.kind, current.sandbox === 1, secrets);
    // New credentials are the fix for a refused token: release the messages that waited for them.
    if (current.needs_attention_since !== null && given.some(([, value]) => value !== null)) await clearChannelAttention(trx, current.id, deps.clock.now());
    return trx
      .updateTable('channels')
      .set({
        name: change.name ?? current.name,
        enabled: change.enabled === undefined ? current.enabled : change.enabled ? 1 : 0,
        config: JSON.stringify(nextConfig),
        secrets: JSON.stringify(secrets),
        updated_at: deps.clock.now(),
      })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  noteChannelsChanged();
  return updated;
}

export async function listChannels(deps: Pick<Deps, 'store'>, workspaceId: string): Promise<ChannelRow[]> {
  return deps.store.db.selectFrom('channels').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
}

export async function getChannel(deps: Pick<Deps, 'store'>, workspaceId: string, channelId: string): Promise<ChannelRow> {
  const channel = await deps.store.db.selectFrom('channels').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', channelId).executeTakeFirst();
  if (!channel) throw notFound('The channel');
  return channel;
}

/** What the API shows of a channel: everything but the secrets' values. */
export function channelView(row: ChannelRow, publicUrl: string): ChannelView {
  const { verifyToken, ...settings } = fromJson<StoredConfig>(row.config) ?? {};
  const webhookPath = channelSetup(row.kind).webhookPath;
  const secrets = fromJson<Record<string, unknown>>(row.secrets) ?? {};
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    sandbox: row.sandbox === 1,
    enabled: row.enabled === 1,
    accountId: row.external_id,
    settings,
    secretsSet: Object.keys(secrets).filter((name) => secrets[name]).sort(),
    webhook: webhookPath && verifyToken ? { url: new URL(webhookPath, publicUrl).toString(), verifyToken } : null,
    attention: row.needs_attention_since === null ? null : { reason: row.attention_reason ?? '', since: row.needs_attention_since },
    templatesSyncedAt: row.templates_synced_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
