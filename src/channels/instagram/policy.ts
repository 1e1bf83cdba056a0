// Instagram's messaging windows: 24 h standard, then 7 days for human agents with the HUMAN_AGENT tag;
// a comment can be answered privately for 7 days, publicly at any time.
import { DAY, HOUR, describeDuration, type EpochMs } from '../../domain/clock.js';
import type { Refusal } from '../../domain/errors.js';
import { allow, refuse, unreachable, type ReplyPolicy } from '../../domain/reply-policy.js';
import type { CommentReplyMode } from '../types.js';

export const INSTAGRAM_STANDARD_WINDOW_MS = 24 * HOUR;
export const INSTAGRAM_HUMAN_AGENT_WINDOW_MS = 7 * DAY;
export const HUMAN_AGENT_TAG = 'HUMAN_AGENT';

export const instagramUploadsUnsupported: Refusal = {
  code: 'INSTAGRAM_MEDIA_NEEDS_LINK',
  message: 'Instagram fetches files from a public link, which an uploaded file does not have; share a link to the file in the message instead.',
};

export const instagramTemplatesUnsupported: Refusal = {
  code: 'INSTAGRAM_TEMPLATES_UNSUPPORTED',
  message: 'Instagram does not support message templates; write a normal message instead.',
};

/** The reply policy of an Instagram account: see design.md §1.4 and channels.md §B.3.2. */
export const instagramPolicy: ReplyPolicy = ({ lastInboundAt, address, now }) => {
  if (!address || lastInboundAt === null) {
    return unreachable('instagram', {
      code: address ? 'INSTAGRAM_WINDOW_CLOSED' : 'CONTACT_NOT_ON_CHANNEL',
      message: 'The customer must write to this Instagram account first; Instagram lets brands answer only after that.',
    });
  }
  const age = now - lastInboundAt;
  if (age >= INSTAGRAM_HUMAN_AGENT_WINDOW_MS) {
    return {
      ...unreachable('instagram', {
        code: 'INSTAGRAM_WINDOW_CLOSED',
        message: `Last customer message was ${describeDuration(age)} ago; Instagram allows no message after 7 days until the customer writes again.`,
        details: { lastInboundAt },
      }),
      template: refuse(instagramTemplatesUnsupported),
    };
  }
  const standard = age < INSTAGRAM_STANDARD_WINDOW_MS;
  return {
    channelKind: 'instagram',
    canStart: true,
    freeForm: standard
      ? allow()
      : allow(HUMAN_AGENT_TAG, {
          code: 'INSTAGRAM_HUMAN_AGENT_ONLY',
          message: `Last customer message was ${describeDuration(age)} ago; after 24 hours Instagram accepts only messages written by a person on the team.`,
          details: { lastInboundAt },
        }),
    template: refuse(instagramTemplatesUnsupported),
    templateRequired: false,
    windowClosesAt: lastInboundAt + (standard ? INSTAGRAM_STANDARD_WINDOW_MS : INSTAGRAM_HUMAN_AGENT_WINDOW_MS),
  };
};

/** A private reply to a comment is allowed for 7 days after the comment (channels.md §B.3.3). */
export const INSTAGRAM_PRIVATE_REPLY_WINDOW_MS = 7 * DAY;

/** Whether a comment can be answered this way now: a public reply always, a private one for 7 days. */
export function instagramCommentReply(mode: CommentReplyMode, commentedAt: EpochMs, now: EpochMs): Refusal | null {
  if (mode === 'public') return null;
  const age = now - commentedAt;
  if (age < INSTAGRAM_PRIVATE_REPLY_WINDOW_MS) return null;
  return {
    code: 'INSTAGRAM_PRIVATE_REPLY_EXPIRED',
    message: `The comment was written ${describeDuration(age)} ago; Instagram allows a private reply only within 7 days of a comment. Reply in public instead.`,
    details: { commentedAt },
  };
}
