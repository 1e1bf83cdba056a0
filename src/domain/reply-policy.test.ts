import { describe, expect, it } from 'vitest';
import { HOUR } from './clock.js';
import type { Refusal } from './errors.js';
import { allow, refuse, windowForOrigin, type ReplyWindow } from './reply-policy.js';

const HUMAN_ONLY: Refusal = { code: 'INSTAGRAM_HUMAN_AGENT_ONLY', message: 'Only a person may answer now.' };
const CLOSED: Refusal = { code: 'INSTAGRAM_WINDOW_CLOSED', message: 'The customer must write first.' };

/** Instagram between 24 hours and 7 days: people may write with HUMAN_AGENT, automations may not. */
const humanAgentWindow: ReplyWindow = { channelKind: 'instagram', canStart: true, freeForm: allow('HUMAN_AGENT', HUMAN_ONLY), template: refuse(CLOSED), templateRequired: false, windowClosesAt: 100 * HOUR };

describe('the reply window as each kind of sender sees it', () => {
  it('a person sees the window as the policy computed it', () => {
    expect(windowForOrigin(humanAgentWindow, 'agent')).toBe(humanAgentWindow);
  });

  it('an automation is refused what only a person may send, and cannot start at all when nothing else is open', () => {
    expect(windowForOrigin(humanAgentWindow, 'automation')).toEqual({ ...humanAgentWindow, canStart: false, freeForm: refuse(HUMAN_ONLY), windowClosesAt: null });
  });

  it('inside the window an automation may send what anyone may', () => {
    const open: ReplyWindow = { ...humanAgentWindow, freeForm: allow(null, null) };
    expect(windowForOrigin(open, 'automation')).toEqual(open);
  });
});
