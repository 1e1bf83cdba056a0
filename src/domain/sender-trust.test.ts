import { describe, expect, it } from 'vitest';
import { decideSenderTrust, type SenderAuthenticity, type SenderTrust, type SenderVerificationMode } from './sender-trust.js';

const trusted: SenderTrust = { mayThreadBySender: true, markUnverified: false, quarantine: false };

describe('sender trust', () => {
  it.each<SenderAuthenticity>(['verified', 'unverified', 'unknown'])('trusts every From as before when verification is off (%s sender)', (authenticity) => {
    expect(decideSenderTrust(authenticity, 'off')).toEqual(trusted);
  });

  it.each<SenderVerificationMode>(['mark', 'quarantine'])('lets a verified sender thread into their active ticket (%s)', (mode) => {
    expect(decideSenderTrust('verified', mode)).toEqual(trusted);
  });

  it('opens a separate ticket marked "unverified sender" for an unverified sender in mark mode, without holding it', () => {
    expect(decideSenderTrust('unverified', 'mark')).toEqual({ mayThreadBySender: false, markUnverified: true, quarantine: false });
  });

  it('holds an unverified sender for an admin in quarantine mode, apart from the active ticket', () => {
    expect(decideSenderTrust('unverified', 'quarantine')).toEqual({ mayThreadBySender: false, markUnverified: true, quarantine: true });
  });

  it.each<SenderVerificationMode>(['mark', 'quarantine'])('does not punish a sender whose check could not be completed (%s)', (mode) => {
    expect(decideSenderTrust('unknown', mode)).toEqual(trusted);
  });
});
