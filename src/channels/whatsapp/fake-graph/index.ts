// The fake Graph API's public surface: start it, build webhook payloads, sign like Meta.
export { FakeGraph, startFakeGraph } from './fake-graph.js';
export type { FailureSpec, FakeEndpoint, FakeGraphOptions, InjectedSendFault, SendFaults, FakePhoneNumber, HangSpec, RecordedRequest, SentMessage, UploadedMedia } from './fake-graph.js';
export { whatsappError, invalidTokenError } from './graph-errors.js';
export type { GraphErrorAnswer, GraphErrorObject } from './graph-errors.js';
export type { FakeMedia } from './media.js';
export type { FakeTemplate, TemplateComponentDefinition, TemplateButtonDefinition } from './templates.js';
export { metaJson, metaSignature } from '../../meta/fake/webhook-delivery.js';
export type { DeliverOptions, WebhookDelivery } from '../../meta/fake/webhook-delivery.js';
export { batchPayloads, inboundMedia, inboundMessage, inboundText, newWamid, statusUpdate, FAKE_WABA_ID } from './webhook-payloads.js';
export type { InboundAny, InboundMedia, InboundText, StatusUpdate, WebhookPayload } from './webhook-payloads.js';
