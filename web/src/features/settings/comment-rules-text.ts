// The words of the comment rules page: a rule's scope, match, action and answers as people read them,
// what trying a comment found as one sentence, and a refusal of the rules named by the rule it is about.
import { ApiError, messageOf } from '../../lib/api.js';
import type { CommentAction, CommentMatch, CommentRule, CommentRules, CommentTrial } from '../../lib/types.js';

export const MATCH_LABELS: Record<CommentMatch, string> = {
  any: 'Any comment',
  keywords: 'A comment with one of these words',
  question: 'A question (a comment with a question mark)',
  not_emoji_or_mentions: 'Anything but emoji or @mentions only',
};

export const ACTION_LABELS: Record<CommentAction, string> = {
  ticket: 'Open a ticket',
  record: 'Record only',
};

export const ACTION_EXPLANATIONS: Record<CommentAction, string> = {
  ticket: "The comment opens a ticket, or joins the commenter's ticket, for the team to answer.",
  record: "The comment opens no ticket; it is kept on the customer's timeline.",
};

/** Where a rule applies: every post, or the posts it names. */
export function scopeText(rule: Pick<CommentRule, 'posts'>): string {
  return rule.posts && rule.posts.length > 0 ? `On ${rule.posts.length === 1 ? 'this post' : 'these posts'}: ${rule.posts.join(', ')}` : 'On every post';
}

/** What a rule looks for, with its keywords. */
export function matchText(rule: Pick<CommentRule, 'match' | 'keywords'>): string {
  if (rule.match === 'keywords') return `${MATCH_LABELS.keywords}: ${(rule.keywords ?? []).join(', ') || '(none yet)'}`;
  return MATCH_LABELS[rule.match];
}

/** The rule's name in quotes, as sentences name it. */
export const quoted = (text: string) => `“${text}”`;

/** What trying a comment found, as one sentence. */
export function trialSentence(trial: CommentTrial): string {
  if (!trial.rule) {
    return trial.action === 'ticket'
      ? "Opens a ticket: no rule matched, so the channel's “otherwise” applies."
      : "Recorded only: no rule matched, so the channel's “otherwise” applies.";
  }
  if (trial.action === 'record') return `Recorded only (rule ${quoted(trial.rule.name)}): no ticket opens; the comment is kept on the customer's timeline.`;
  const answers = [trial.privateReply && `answers privately: ${quoted(trial.privateReply)}`, trial.publicReply && `answers in public: ${quoted(trial.publicReply)}`].filter(Boolean);
  return `Opens a ticket (rule ${quoted(trial.rule.name)})${answers.length ? `; ${answers.join('; ')}` : ''}.`;
}

/**
 * A refusal of the rules as sentences naming the rule each is about ("Rule 2, “Sizes”: …") after `lead`,
 * or the API's own sentence. Saving sends the rules as the body, trying sends them under `rules`.
 */
export function refusalText(failure: unknown, rules: CommentRules, lead: string): string {
  if (!(failure instanceof ApiError) || failure.code !== 'VALIDATION_FAILED') return messageOf(failure);
  const issues = Array.isArray(failure.details?.issues) ? (failure.details.issues as { path?: unknown; message?: unknown }[]) : [];
  const sentences = issues.flatMap((issue) => {
    if (typeof issue.message !== 'string') return [];
    const path = typeof issue.path === 'string' ? issue.path : '';
    const ruleAt = /^(?:\/rules)?\/rules\/(\d+)(?:\/|$)/.exec(path);
    const index = ruleAt ? Number(ruleAt[1]) : -1;
    const rule = rules.rules[index];
    if (rule) return [`Rule ${index + 1}, ${quoted(rule.name)}: ${issue.message}.`];
    if (/^(?:\/rules)?\/otherwise/.test(path)) return [`“Otherwise”: ${issue.message}.`];
    return [`${issue.message.charAt(0).toUpperCase()}${issue.message.slice(1)}.`];
  });
  return sentences.length ? `${lead} ${sentences.join(' ')}` : failure.message;
}
