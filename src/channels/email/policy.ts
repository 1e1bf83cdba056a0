// Email has no window: the brand may write whenever the contact's address is known.
import type { Refusal } from '../../domain/errors.js';
import { allow, refuse, unreachable, type ReplyPolicy } from '../../domain/reply-policy.js';

export const emailTemplatesUnsupported: Refusal = { code: 'EMAIL_TEMPLATES_UNSUPPORTED', message: 'Templates are a WhatsApp feature; write the email instead.' };

/** The reply policy of a support address: see design.md §1.4. */
export const emailPolicy: ReplyPolicy = ({ address }) => {
  if (!address) {
    return unreachable('email', {
      code: 'CONTACT_HAS_NO_EMAIL',
      message: 'This contact has no email address; add one before writing by email.',
    });
  }
  return {
    channelKind: 'email',
    canStart: true,
    freeForm: allow(),
    template: refuse(emailTemplatesUnsupported),
    templateRequired: false,
    windowClosesAt: null,
  };
};
