// A template message is checked against the channel's synced templates before it is queued: only an
// approved template with the right values goes in the queue, stored with the text the customer will read.
import type { Kysely } from 'kysely';
import { channelRules } from '../../channels/registry.js';
import type { Database } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { fromJson } from '../../lib/json.js';
import { findChannel } from '../channels/channel.repo.js';
import type { OutgoingContent } from './outgoing.js';

const APPROVED = 'APPROVED';

/**
 * The content to queue: a template's parameters in the form its sender uses and its rendered text as the
 * body. Refuses an unknown or unapproved template (TEMPLATE_NOT_APPROVED) and wrong values
 * (TEMPLATE_PARAMETERS_INVALID). A channel whose templates were never synced has nothing to check
 * against: its templates go to the provider as given, which refuses unknown ones itself.
 */
export async function checkTemplateContent(trx: Kysely<Database>, channelId: string, content: OutgoingContent): Promise<OutgoingContent> {
  if (content.kind !== 'template' || !content.template) return content;
  const channel = await findChannel(trx, channelId);
  if (!channel) return content;
  const support = channelRules(channel.kind).templates;
  // Kinds without templates are refused by their reply policy.
  if ('refusal' in support) return content;
  const { name, language } = content.template;
  const known = await trx.selectFrom('templates').select(['name', 'language', 'status', 'components']).where('channel_id', '=', channel.id).where('name', '=', name).execute();
  const template = known.find((t) => t.language === language);
  if (!template) {
    if (channel.templates_synced_at === null && !(await hasTemplates(trx, channel.id))) return content;
    const languages = known.map((t) => t.language).sort();
    throw new DomainError({
      code: 'TEMPLATE_NOT_APPROVED',
      message: languages.length
        ? `The template "${name}" has no ${language} version on this channel (it has ${languages.join(', ')}); pick one of those languages.`
        : `There is no template "${name}" on this channel; pick an approved template, or sync the channel's templates if it was just created.`,
      details: { name, language, languages },
    });
  }
  if (template.status !== APPROVED) {
    throw new DomainError({
      code: 'TEMPLATE_NOT_APPROVED',
      message: `The template "${name}" (${language}) is ${template.status.toLowerCase().replace(/_/g, ' ')} on WhatsApp; only approved templates can be sent.`,
      details: { name, language, status: template.status },
    });
  }
  const prepared = support.prepare(fromJson(template.components), content.template.parameters ?? {});
  if (!prepared.ok) {
    throw new DomainError({
      code: 'TEMPLATE_PARAMETERS_INVALID',
      message: `The template "${name}" cannot be sent with these values: ${prepared.problems.join(' ')}`,
      details: { name, language, problems: prepared.problems },
    });
  }
  return { ...content, body: prepared.text, template: { name, language, parameters: prepared.parameters } };
}

async function hasTemplates(trx: Kysely<Database>, channelId: string): Promise<boolean> {
  return (await trx.selectFrom('templates').select('id').where('channel_id', '=', channelId).limit(1).executeTakeFirst()) !== undefined;
}
