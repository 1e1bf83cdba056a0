// WhatsApp contact ids (wa_id) are digits only: "+1 (555) 010-2030" and "15550102030" are one person.

/** Normalizes a phone number or wa_id to digits; null when nothing usable is left. */
export function normalizeWhatsappAddress(raw: string): string | null {
  const digits = raw.trim().replace(/\D/g, '');
  return digits.length >= 5 && digits.length <= 20 ? digits : null;
}
