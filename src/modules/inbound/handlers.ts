// Which handler reads the stored deliveries of each source.
import type { Logger } from '../../lib/logger.js';
import type { AttachmentStorage } from '../attachments/attachment-storage.js';
import { emailPayloadHandlers } from '../email/process-email.js';
import type { PayloadHandler } from './process-inbound.js';
import { instagramPayloadHandler } from './instagram-payloads.js';
import { whatsappPayloadHandler } from './whatsapp-payloads.js';

export function inboundHandlers(logger: Logger, attachments?: AttachmentStorage): Record<string, PayloadHandler> {
  return {
    whatsapp: whatsappPayloadHandler(logger),
    instagram: instagramPayloadHandler(logger, attachments),
    // Mail keeps its attachments, so its handlers need somewhere to put them.
    ...(attachments ? emailPayloadHandlers(attachments) : {}),

  };
}
