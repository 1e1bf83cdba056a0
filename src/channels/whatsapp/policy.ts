// WhatsApp's 24-hour customer service window: free-form inside it, an approved template always.
import { DAY, describeDuration } from '../../domain/clock.js';
import type { Refusal } from '../../domain/errors.js';
import { allow, refuse, unreachable, type ReplyPolicy } from '../../domain/reply-policy.js';

export const WHATSAPP_WINDOW_MS = DAY;

export const whatsappOneFilePerMessage: Refusal = {
  code: 'WHATSAPP_ONE_FILE_PER_MESSAGE',
  message: 'WhatsApp sends one file per message; send each file as a message of its own.',
};

/** The reply policy of a WhatsApp number (Cloud API): see design.md §1.4. */
export const whatsappPolicy: ReplyPolicy = ({ lastInboundAt, address, now }) => {
  if (!address) {
    return unreachable('whatsapp', {
      code: 'CONTACT_HAS_NO_PHONE',
      message: 'This contact has no WhatsApp number; add one before writing on WhatsApp.',
    });
  }
  const closesAt = lastInboundAt === null ? null : lastInboundAt + WHATSAPP_WINDOW_MS;
  const open = closesAt !== null && now < closesAt;
  return {
    channelKind: 'whatsapp',
    canStart: true,
    freeForm: open
      ? allow()
      : refuse({
          code: 'WHATSAPP_TEMPLATE_REQUIRED',
          message:
            lastInboundAt === null
              ? 'This customer has not written to this WhatsApp number yet; only an approved template can start the conversation.'
              : `Last customer message was ${describeDuration(now - lastInboundAt)} ago; outside WhatsApp's 24-hour window only an approved template can be sent.`,
          details: { lastInboundAt },
        }),
    template: allow(),
    templateRequired: !open,
    windowClosesAt: open ? closesAt : null,
  };
};
