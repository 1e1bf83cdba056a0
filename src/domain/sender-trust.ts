// How far an email's From is trusted, given what checking the sender found and how strict the channel is:
// a forged From must not write into a customer's active ticket.

/** What checking an email's sender (SPF, DKIM, DMARC) concluded. */
export type SenderAuthenticity =
  /** The From domain vouched for the message (DMARC pass, or an aligned SPF/DKIM pass where it publishes no policy). */
  | 'verified'
  /** The check ran and the From domain did not vouch for the message: the From may be forged. */
  | 'unverified'
  /** Nothing could be concluded: a DNS lookup failed temporarily, the domain publishes no DMARC policy and nothing passed, or nobody checked (IMAP mail without a trusted report). */
  | 'unknown';

/** A channel's choice of what to do with mail whose sender is unverified. */
export type SenderVerificationMode = 'off' | 'mark' | 'quarantine';

export const SENDER_VERIFICATION_MODES = ['off', 'mark', 'quarantine'] as const satisfies readonly SenderVerificationMode[];

export interface SenderTrust {
  /**
   * The message may join the sender's active ticket because its From matches the ticket's contact.
   * This governs only that match: a reply token in the address or an In-Reply-To/References naming a
   * message we sent is proof of a different kind (the sender holds mail only our correspondent received)
   * and is judged by the threading rules, not here.
   */
  mayThreadBySender: boolean;
  /** The ticket the message lands in shows it as from an unverified sender. */
  markUnverified: boolean;
  /** The message is held for an admin instead of reaching agents. */
  quarantine: boolean;
}

const TRUSTED: SenderTrust = { mayThreadBySender: true, markUnverified: false, quarantine: false };

/**
 * What a message may do on the strength of its From, given the sender check's conclusion and the channel's mode.
 * `off` trusts every From as Threadbox always did; `mark` opens a separate ticket, marked, for an unverified
 * sender; `quarantine` does the same and holds the message for an admin.
 */
export function decideSenderTrust(authenticity: SenderAuthenticity, mode: SenderVerificationMode): SenderTrust {
  if (mode === 'off') return TRUSTED;
  // An unknown result is usually a DNS hiccup at the sender's domain: splitting a customer's conversation or
  // holding their mail for it would punish the customer for it, and an attacker cannot cause it for a domain
  // they forge without breaking that domain's own DNS.
  if (authenticity !== 'unverified') return TRUSTED;
  return { mayThreadBySender: false, markUnverified: true, quarantine: mode === 'quarantine' };
}
