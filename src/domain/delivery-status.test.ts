import { describe, expect, it } from 'vitest';
import { advanceDeliveryStatus } from './delivery-status.js';

describe('delivery status only moves forward', () => {
  it('sent, delivered and read advance a message in order, or skip ahead', () => {
    expect(advanceDeliveryStatus('queued', 'sent')).toBe('sent');
    expect(advanceDeliveryStatus('sent', 'delivered')).toBe('delivered');
    expect(advanceDeliveryStatus('sent', 'read')).toBe('read');
  });

  it('a late delivered never overwrites read, and repeats change nothing', () => {
    expect(advanceDeliveryStatus('read', 'delivered')).toBeNull();
    expect(advanceDeliveryStatus('read', 'sent')).toBeNull();
    expect(advanceDeliveryStatus('delivered', 'delivered')).toBeNull();
  });

  it('failed is final, and a failure after read is not believed', () => {
    expect(advanceDeliveryStatus('sent', 'failed')).toBe('failed');
    expect(advanceDeliveryStatus('queued', 'failed')).toBe('failed');
    expect(advanceDeliveryStatus('failed', 'read')).toBeNull();
    expect(advanceDeliveryStatus('read', 'failed')).toBeNull();
  });
});
