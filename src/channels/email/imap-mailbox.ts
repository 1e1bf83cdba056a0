// Reading a support mailbox over IMAP with imapflow. The caller keeps a cursor (UIDVALIDITY and the last UID
// taken) and advances it with each message it stores, so a restart resumes exactly after the last stored mail.
import { ImapFlow } from 'imapflow';

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  username: string;
  password: string;
  mailbox: string;
}

export interface MailboxCursor {
  uidValidity: string;
  lastUid: number;
}

export interface FetchedMail {
  uid: number;
  raw: Buffer;
}

/**
 * Hands every message after the cursor to `take`, oldest first, with the cursor that includes it; resolves with
 * the final cursor. When the mailbox's UIDVALIDITY changed, every stored UID is meaningless and reading starts
 * over from the first message (the store recognises mail it already has by Message-ID).
 */
export async function readNewMail(settings: ImapSettings, cursor: MailboxCursor | null, take: (mail: FetchedMail, after: MailboxCursor) => Promise<void>): Promise<MailboxCursor> {
  const client = new ImapFlow({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: { user: settings.username, pass: settings.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 30_000,
  });
  await client.connect();
  try {
    const lock = await client.getMailboxLock(settings.mailbox);
    try {
      const box = client.mailbox;
      if (!box) throw new Error(`the mailbox ${settings.mailbox} could not be opened`);
      const uidValidity = String(box.uidValidity);
      const lastUid = cursor && cursor.uidValidity === uidValidity ? cursor.lastUid : 0;
      if (box.exists === 0) return { uidValidity, lastUid };
      const fresh: FetchedMail[] = [];
      // No other IMAP command may run inside a fetch loop (it deadlocks): collect first, then hand over.
      for await (const message of client.fetch(`${lastUid + 1}:*`, { uid: true, source: true }, { uid: true })) {
        // "N:*" answers with the newest message even when its UID is below N.
        if (message.uid > lastUid && message.source) fresh.push({ uid: message.uid, raw: message.source });
      }
      fresh.sort((a, b) => a.uid - b.uid);
      let after: MailboxCursor = { uidValidity, lastUid };
      for (const mail of fresh) {
        after = { uidValidity, lastUid: mail.uid };
        await take(mail, after);
      }
      return after;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}
