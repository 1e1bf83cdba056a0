// What a file's first bytes say it is, by their signature ("magic number").
import { fileTypeFromBuffer } from 'file-type';

/** How many leading bytes the sniffer needs to recognise every type it knows. */
export const SNIFF_BYTES = 4100;

/** The MIME type the bytes' signature shows, or undefined when they show none the sniffer knows. */
export async function sniffContentType(head: Uint8Array): Promise<string | undefined> {
  try {
    return (await fileTypeFromBuffer(head))?.mime;
  } catch {
    // A signature that starts like a known format but breaks off reads as no signature at all.
    return undefined;
  }
}
