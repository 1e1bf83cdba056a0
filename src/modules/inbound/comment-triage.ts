// Public comments go where the channel's comment rules say (domain/comment-rules.ts): each comment gets
// the decision and its automatic answers with their variables filled in. The channel's settings are read
// only for deliveries that carry comments.
import type { CommentTriage, CustomerMessage } from '../../channels/inbound-events.js';
import { channelAdapter } from '../../channels/registry.js';
import type { ChannelRow } from '../../db/schema.js';
import { commentRulesOf, decideComment, fillCommentReply, type CommentRules } from '../../domain/comment-rules.js';
import { channelAccount } from '../channels/channel.repo.js';

export function triageComments(channel: ChannelRow, messages: CustomerMessage[]): CustomerMessage[] {
  const factsOf = channelAdapter(channel.kind).commentFacts;
  if (!factsOf) return messages;
  let rules: CommentRules | undefined;
  return messages.map((message) => {
    const facts = factsOf(message);
    if (!facts) return message;
    rules ??= commentRulesOf(channelAccount(channel).settings);
    const { action, rule } = decideComment(rules, facts);
    const values = { handle: message.contact.username ?? null, post: facts.permalink };
    const answer = (template: string | null | undefined) => (template ? fillCommentReply(template, values) || null : null);
    const commentTriage: CommentTriage = { action, ruleId: rule?.id ?? null, mediaId: facts.mediaId, permalink: facts.permalink, privateReply: answer(rule?.privateReply), publicReply: answer(rule?.publicReply) };
    return { ...message, commentTriage };
  });
}
