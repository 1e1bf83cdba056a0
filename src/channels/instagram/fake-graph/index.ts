// The fake Instagram Graph API's public surface: start it, build webhook bodies, sign like Meta.
export { FakeInstagramGraph, instagramError, startFakeInstagramGraph } from './fake-instagram-graph.js';
export type { FakeInstagramAccount, FakeInstagramEndpoint, FakeInstagramOptions, InstagramFailureSpec, InstagramHangSpec, InstagramPublicReply, InstagramRecordedRequest, InstagramSent } from './fake-instagram-graph.js';
export { metaJson, metaSignature } from '../../meta/fake/webhook-delivery.js';
export type { DeliverOptions, WebhookDelivery } from '../../meta/fake/webhook-delivery.js';
export {
  batchInstagram,
  instagramComment,
  instagramDm,
  instagramEcho,
  instagramPostback,
  instagramReaction,
  instagramRead,
  instagramUnsend,
  newInstagramId,
  newInstagramMid,
} from './webhook-payloads.js';
export type { CommentInput, DmInput, InstagramWebhook, InstagramWebhookEntry, Participants } from './webhook-payloads.js';
