// Which handler reads the stored deliveries of each source.
import type { Logger } from '../../lib/logger.js';
import type { PayloadHandler } from './process-inbound.js';
import { whatsappPayloadHandler } from './whatsapp-payloads.js';

export function inboundHandlers(logger: Logger): Record<string, PayloadHandler> {
  return {
    whatsapp: whatsappPayloadHandler(logger),
  };
}
