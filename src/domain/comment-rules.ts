// Which public comments become tickets (design.md §1.2: a comment creates a ticket when it "triggers a
// response flow"). A brand's post gets thousands of comments ("love it!", emoji, friends tagged); the
// questions among them must not drown. A channel's rules are read in order; the first whose scope and
// match fit the comment decides: open or join a ticket, or record it only (on the contact's timeline, no
// ticket). A comment no rule takes gets the channel's `otherwise`. A rule may answer automatically, once,
// privately and/or in public. A customer with an active ticket is never split away from it: that is the
// inbound core's part, whatever the rules say.

export const COMMENT_MATCHES = ['any', 'keywords', 'question', 'not_emoji_or_mentions'] as const;
export type CommentMatch = (typeof COMMENT_MATCHES)[number];
export const COMMENT_ACTIONS = ['ticket', 'record'] as const;
export type CommentAction = (typeof COMMENT_ACTIONS)[number];

export interface CommentRule {
  id: string;
  name: string;
  /** The posts and reels it applies to, by media id or link; null for every post. */
  posts: string[] | null;
  match: CommentMatch;
  /** For `keywords`: words or phrases, matched ignoring case and accents. */
  keywords?: string[];
  action: CommentAction;
  /** Sent once as the comment's private reply, as automation: `{handle}` and `{post}` are filled in. */
  privateReply?: string | null;
  /** Posted once under the comment, as automation. */
  publicReply?: string | null;
}

export interface CommentRules {
  rules: CommentRule[];
  /** What happens to a comment no rule takes. */
  otherwise: CommentAction;
}

/** A new channel's rules: questions and comments naming what customers ask about open tickets; the rest is recorded. */
export const DEFAULT_COMMENT_RULES: CommentRules = {
  rules: [
    { id: 'questions', name: 'Questions', posts: null, match: 'question', action: 'ticket' },
    { id: 'keywords', name: 'Orders and products', posts: null, match: 'keywords', keywords: ['order', 'price', 'size', 'delivery', 'shipping', 'refund', 'stock', 'help'], action: 'ticket' },
  ],
  otherwise: 'record',
};

export interface CommentFacts {
  text: string | null;
  /** The post's or reel's media id and link, when the provider says. */
  mediaId: string | null;
  permalink: string | null;
}

export interface CommentDecision {
  action: CommentAction;
  /** The rule that decided; null when none did and `otherwise` applied. */
  rule: CommentRule | null;
}

export function decideComment(rules: CommentRules, comment: CommentFacts): CommentDecision {
  const rule = rules.rules.find((candidate) => inScope(candidate, comment) && matches(candidate, comment.text ?? ''));
  return rule ? { action: rule.action, rule } : { action: rules.otherwise, rule: null };
}

function inScope(rule: CommentRule, comment: CommentFacts): boolean {
  if (!rule.posts || rule.posts.length === 0) return true;
  const link = comment.permalink ? normalizedLink(comment.permalink) : null;
  return rule.posts.some((post) => post.trim() === comment.mediaId || (link !== null && normalizedLink(post) === link));
}

/** A post's link without scheme, `www.`, query or trailing slash: the forms people paste all compare equal. */
function normalizedLink(link: string): string {
  return link
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '');
}

function matches(rule: CommentRule, text: string): boolean {
  switch (rule.match) {
    case 'any':
      return true;
    case 'question':
      return /[?？¿]/.test(text);
    case 'not_emoji_or_mentions':
      return !isEmojiOrMentionsOnly(text);
    case 'keywords': {
      const folded = foldForMatching(text);
      return (rule.keywords ?? []).some((keyword) => containsKeyword(folded, foldForMatching(keyword)));
    }
  }
}

/** Lower case without accents ("Envío" and "ENVIO" compare equal). */
export function foldForMatching(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

// Scripts written without spaces between words: a keyword is found anywhere in the text.
const WITHOUT_SPACES = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/** The keyword as a whole word or phrase (so "size" is not found in "oversized"), or anywhere in scripts without spaces. */
function containsKeyword(folded: string, keyword: string): boolean {
  if (!keyword) return false;
  if (WITHOUT_SPACES.test(keyword)) return folded.includes(keyword);
  const escaped = keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[^\\p{L}\\p{N}])${escaped}(?:$|[^\\p{L}\\p{N}])`, 'u').test(folded);
}

/** Nothing but emoji, @mentions, punctuation and spaces: "😍😍", "@ana @bo", "🔥 @ana!!". */
export function isEmojiOrMentionsOnly(text: string): boolean {
  const rest = text.replace(/@[\p{L}\p{N}._]+/gu, '').replace(/\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200d|\ufe0f|\u20e3/gu, '');
  return !/[\p{L}\p{N}]/u.test(rest);
}

/** A rule's automatic reply with its variables filled in. */
export function fillCommentReply(template: string, values: { handle: string | null; post: string | null }): string {
  return template
    .replace(/\{handle\}/g, values.handle ? `@${values.handle}` : '')
    .replace(/\{post\}/g, values.post ?? '')
    .replace(/[ \t]{2,}/g, ' ')
    // An empty variable leaves no space before the punctuation after it ("Hi {handle}, thanks").
    .replace(/[ \t]+([,.!?;:])/g, '$1')
    .trim();
}

/** A channel's comment rules from its settings; a channel that never set any has the defaults. */
export function commentRulesOf(settings: Record<string, unknown>): CommentRules {
  const saved = settings.commentRules as CommentRules | undefined;
  return saved && Array.isArray(saved.rules) ? saved : DEFAULT_COMMENT_RULES;
}
