// Every migration, in order. One list for both engines.
import type { Migration } from 'kysely';
import * as initial from './0001-initial.js';
import * as auth from './0002-auth.js';
import * as attachments from './0003-attachments.js';
import * as webhooks from './0004-webhooks.js';
import * as realtimeNotify from './0005-realtime-notify.js';
import * as ticketListIndexes from './0006-ticket-list-indexes.js';
import * as inboundPayloads from './0007-inbound-payloads.js';
import * as channelAttention from './0008-channel-attention.js';
import * as emailThreading from './0009-email-threading.js';
import * as unsentUploads from './0010-unsent-uploads.js';
import * as signInThrottle from './0011-sign-in-throttle.js';
import * as unreadableInbound from './0012-unreadable-inbound.js';
import * as whatsappUserIds from './0013-whatsapp-user-ids.js';
import * as integrationTokens from './0014-integration-tokens.js';
import * as blockedIdentities from './0015-blocked-identities.js';
import * as senderVerification from './0016-sender-verification.js';
import * as recordedComments from './0017-recorded-comments.js';
import * as inboundDueOrder from './0018-inbound-due-order.js';

export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-auth': auth,
  '0003-attachments': attachments,
  '0004-webhooks': webhooks,
  '0005-realtime-notify': realtimeNotify,
  '0006-ticket-list-indexes': ticketListIndexes,
  '0007-inbound-payloads': inboundPayloads,
  '0008-channel-attention': channelAttention,
  '0009-email-threading': emailThreading,
  '0010-unsent-uploads': unsentUploads,
  '0011-sign-in-throttle': signInThrottle,
  '0012-unreadable-inbound': unreadableInbound,
  '0013-whatsapp-user-ids': whatsappUserIds,
  '0014-integration-tokens': integrationTokens,
  '0015-blocked-identities': blockedIdentities,
  '0016-sender-verification': senderVerification,
  '0017-recorded-comments': recordedComments,
  '0018-inbound-due-order': inboundDueOrder,
};
