// Stable, machine-readable refusal and failure codes shared by every interface (API, CLI, jobs).

export type ErrorCode =
  | 'WHATSAPP_TEMPLATE_REQUIRED'
  | 'INSTAGRAM_WINDOW_CLOSED'
  | 'INSTAGRAM_HUMAN_AGENT_ONLY'
  | 'INSTAGRAM_TEMPLATES_UNSUPPORTED'
  | 'INSTAGRAM_PRIVATE_REPLY_EXPIRED'
  | 'PRIVATE_REPLY_ALREADY_SENT'
  | 'COMMENT_REPLY_UNSUPPORTED'
  | 'EMAIL_TEMPLATES_UNSUPPORTED'
  | 'TEMPLATE_NOT_APPROVED'
  | 'TEMPLATE_PARAMETERS_INVALID'
  | 'TEMPLATE_SYNC_FAILED'
  | 'INVALID_SIGNATURE'
  | 'INVALID_JSON'
  | 'UNSUPPORTED_OBJECT'
  | 'CONTACT_HAS_NO_EMAIL'
  | 'CONTACT_HAS_NO_PHONE'
  | 'CONTACT_NOT_ON_CHANNEL'
  | 'ACTIVE_TICKET_EXISTS'
  | 'TICKET_CLOSED'
  | 'TICKET_NOT_CLOSED'
  | 'INVALID_STATUS_CHANGE'
  | 'SNOOZE_UNTIL_REQUIRED'
  | 'SNOOZE_UNTIL_IN_PAST'
  | 'CHANNEL_DISABLED'
  | 'ATTACHMENT_MISSING'
  | 'ATTACHMENT_EMPTY'
  | 'ATTACHMENT_TOO_LARGE'
  | 'ATTACHMENT_TYPE_NOT_ALLOWED'
  | 'ATTACHMENT_TYPE_MISMATCH'
  | 'ATTACHMENT_NOT_FOUND'
  | 'ATTACHMENT_IN_USE'
  | 'ATTACHMENT_TOO_MANY_FILES'
  | 'INVALID_MULTIPART'
  | 'NOT_FOUND'
  | 'VALIDATION_FAILED'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'INVALID_CURSOR'
  | 'CONTACT_ADDRESS_TAKEN'
  | 'ADDRESS_IN_USE'
  | 'MERGE_ACTIVE_TICKETS_CONFLICT'
  | 'CHANNEL_ACCOUNT_TAKEN'
  | 'EMAIL_TAKEN'
  | 'LAST_ADMIN'
  | 'AUTO_CLOSE_RULE_EXISTS'
  | 'CHANNEL_NOT_SANDBOX'
  | 'WHATSAPP_ONE_FILE_PER_MESSAGE'
  | 'INSTAGRAM_MEDIA_NEEDS_LINK'
  | 'URL_NOT_ALLOWED'
  | 'ALREADY_DECIDED'
  | 'HELD_WITHOUT_SENDER'
  | 'NOTHING_TO_SPLIT'
  | 'COMMENT_RULES_UNSUPPORTED';

/** What kind of failure a code is; the HTTP layer maps kinds to statuses. */
export type ErrorKind = 'policy' | 'not_found' | 'conflict' | 'validation' | 'unauthenticated' | 'forbidden' | 'rate_limited' | 'too_large' | 'unsupported_media';

const KIND_BY_CODE: Record<ErrorCode, ErrorKind> = {
  WHATSAPP_TEMPLATE_REQUIRED: 'policy',
  INSTAGRAM_WINDOW_CLOSED: 'policy',
  INSTAGRAM_HUMAN_AGENT_ONLY: 'policy',
  INSTAGRAM_TEMPLATES_UNSUPPORTED: 'policy',
  INSTAGRAM_PRIVATE_REPLY_EXPIRED: 'policy',
  PRIVATE_REPLY_ALREADY_SENT: 'conflict',
  COMMENT_REPLY_UNSUPPORTED: 'policy',
  EMAIL_TEMPLATES_UNSUPPORTED: 'policy',
  TEMPLATE_NOT_APPROVED: 'policy',
  TEMPLATE_PARAMETERS_INVALID: 'validation',
  TEMPLATE_SYNC_FAILED: 'policy',
  INVALID_SIGNATURE: 'unauthenticated',
  INVALID_JSON: 'validation',
  UNSUPPORTED_OBJECT: 'validation',
  CONTACT_HAS_NO_EMAIL: 'policy',
  CONTACT_HAS_NO_PHONE: 'policy',
  CONTACT_NOT_ON_CHANNEL: 'policy',
  CHANNEL_DISABLED: 'policy',
  ATTACHMENT_MISSING: 'validation',
  ATTACHMENT_EMPTY: 'validation',
  ATTACHMENT_TOO_LARGE: 'too_large',
  ATTACHMENT_TYPE_NOT_ALLOWED: 'unsupported_media',
  ATTACHMENT_TYPE_MISMATCH: 'unsupported_media',
  ATTACHMENT_NOT_FOUND: 'not_found',
  ATTACHMENT_IN_USE: 'conflict',
  ATTACHMENT_TOO_MANY_FILES: 'validation',
  INVALID_MULTIPART: 'validation',
  ACTIVE_TICKET_EXISTS: 'conflict',
  TICKET_CLOSED: 'conflict',
  TICKET_NOT_CLOSED: 'conflict',
  INVALID_STATUS_CHANGE: 'conflict',
  CONFLICT: 'conflict',
  ALREADY_DECIDED: 'conflict',
  HELD_WITHOUT_SENDER: 'conflict',
  NOTHING_TO_SPLIT: 'conflict',
  COMMENT_RULES_UNSUPPORTED: 'validation',
  SNOOZE_UNTIL_REQUIRED: 'validation',
  SNOOZE_UNTIL_IN_PAST: 'validation',
  VALIDATION_FAILED: 'validation',
  NOT_FOUND: 'not_found',
  UNAUTHENTICATED: 'unauthenticated',
  INVALID_CREDENTIALS: 'unauthenticated',
  FORBIDDEN: 'forbidden',
  RATE_LIMITED: 'rate_limited',
  INVALID_CURSOR: 'validation',
  CONTACT_ADDRESS_TAKEN: 'conflict',
  ADDRESS_IN_USE: 'conflict',
  MERGE_ACTIVE_TICKETS_CONFLICT: 'conflict',
  CHANNEL_ACCOUNT_TAKEN: 'conflict',
  EMAIL_TAKEN: 'conflict',
  LAST_ADMIN: 'conflict',
  AUTO_CLOSE_RULE_EXISTS: 'conflict',
  CHANNEL_NOT_SANDBOX: 'conflict',
  WHATSAPP_ONE_FILE_PER_MESSAGE: 'policy',
  INSTAGRAM_MEDIA_NEEDS_LINK: 'policy',
  URL_NOT_ALLOWED: 'policy',
};

/** A refusal a person can read: a stable code plus a sentence. */
export interface Refusal {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** Thrown by use cases when a rule refuses an action; nothing has been changed when it is thrown. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(refusal: Refusal) {
    super(refusal.message);
    this.name = 'DomainError';
    this.code = refusal.code;
    this.details = refusal.details;
  }

  get kind(): ErrorKind {
    return KIND_BY_CODE[this.code];
  }
}

/** Shorthand for a not-found error that never says whether the id exists elsewhere. */
export function notFound(what: string): DomainError {
  return new DomainError({ code: 'NOT_FOUND', message: `${what} was not found.` });
}
