// The approved templates of a WhatsApp number come from its Business Account (channels.md §A.6):
// `GET /{waba-id}/message_templates`, cursor-paged, followed through `paging.next` until it is absent.
import type { ChannelAccount, ProviderTemplate, TemplateListing, TemplateSource } from '../types.js';
import { businessAccountIdOf, graphAccountOf } from './graph-account.js';
import { graphJson } from '../meta/graph-client.js';
import { classifyGraphFailure } from './outbound.js';

const FIELDS = 'name,language,status,category,components,parameter_format,id';
const PAGE_SIZE = '100';
// A business account holds at most a few thousand templates; a longer chain is a paging loop.
const MAX_PAGES = 200;

interface TemplatePage {
  data?: { name?: unknown; language?: unknown; status?: unknown; category?: unknown; components?: unknown }[];
  paging?: { next?: string };
}

function templateOf(item: NonNullable<TemplatePage['data']>[number]): ProviderTemplate | null {
  if (typeof item.name !== 'string' || typeof item.language !== 'string') return null;
  return {
    name: item.name,
    language: item.language,
    status: typeof item.status === 'string' ? item.status.toUpperCase() : 'UNKNOWN',
    category: typeof item.category === 'string' ? item.category.toUpperCase() : 'OTHER',
    components: Array.isArray(item.components) ? item.components : [],
  };
}

export const whatsappTemplateSource: TemplateSource = {
  async list(account: ChannelAccount): Promise<TemplateListing> {
    const waba = businessAccountIdOf(account);
    if (!waba) return { ok: false, reason: 'not_configured', message: "Set the channel's WhatsApp Business Account id (settings.businessAccountId) to sync its templates." };
    const graph = graphAccountOf(account);
    if (!graph.accessToken) return { ok: false, reason: 'credentials', message: 'The channel has no WhatsApp access token; an admin needs to add one.' };
    const templates: ProviderTemplate[] = [];
    let next: string | undefined = `/${waba}/message_templates`;
    const seen = new Set<string>();
    try {
      for (let page = 0; next && page < MAX_PAGES && !seen.has(next); page++) {
        seen.add(next);
        const query: Record<string, string> | undefined = page === 0 ? { fields: FIELDS, limit: PAGE_SIZE } : undefined;
        const answer: TemplatePage | null = await graphJson<TemplatePage>(graph, { path: next, ...(query ? { query } : {}) });
        for (const item of answer?.data ?? []) {
          const template = templateOf(item);
          if (template) templates.push(template);
        }
        next = answer?.paging?.next;
      }
    } catch (error) {
      const failure = classifyGraphFailure(error);
      const reason = failure.channelNeedsAttention ? 'credentials' : failure.retryable ? 'unavailable' : 'refused';
      return { ok: false, reason, message: `WhatsApp did not list the templates: ${failure.message}` };
    }
    return { ok: true, templates };
  },
};
