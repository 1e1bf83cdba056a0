// Instagram's messaging windows: 24 h standard, then 7 days for human agents with the HUMAN_AGENT tag.
import { DAY, HOUR, describeDuration } from '../../domain/clock.js';
import type { Refusal } from '../../domain/errors.js';
import { allow, refuse, unreachable, type ReplyPolicy } from '../../domain/reply-policy.js';

export const INSTAGRAM_STANDARD_WINDOW_MS = 24 * HOUR;
export const INSTAGRAM_HUMAN_AGENT_WINDOW_MS = 7 * DAY;
export const HUMAN_AGENT_TAG = 'HUMAN_AGENT';

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
