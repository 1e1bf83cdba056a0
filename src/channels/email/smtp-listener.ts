// Our own SMTP listener, for mail pointed straight at Threadbox (an MX, or a relay forwarding to it). It
// accepts mail only for the support addresses it is told about, enforces a size limit, and answers "250"
// only once the raw message is stored: until then the sending server keeps the mail and retries.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export interface SmtpListenerOptions {
  host: string;
  port: number;
  /** The largest message accepted, in bytes. */
  maxBytes: number;
  /** Whether mail for this envelope recipient is ours to take. */
  acceptsRecipient(address: string): Promise<boolean>;
  /** Stores a received message for its recipients; resolves once it is durable. */
  store(raw: Buffer, envelope: { clientIp: string | null; helo: string | null; mailFrom: string | null; recipients: string[] }): Promise<void>;
  /** Told about a message that could not be stored (the sender is answered 451 and retries). */
  onStoreError?(error: unknown): void;
}

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

const smtpError = (message: string, responseCode: number) => Object.assign(new Error(message), { responseCode });

/** Starts listening; resolves once the port is bound. */
export async function startSmtpListener(options: SmtpListenerOptions): Promise<SmtpListener> {
  const server = new SMTPServer({
    // Senders of inbound mail do not authenticate; STARTTLS stays available for servers that want it.
    authOptional: true,
    disabledCommands: ['AUTH'],
    size: options.maxBytes,
    banner: 'Threadbox',
    logger: false,
    onRcptTo(address, _session, callback) {
      options.acceptsRecipient(address.address).then(
        (ours) => callback(ours ? undefined : smtpError(`No mailbox here by the name ${address.address}`, 550)),
        () => callback(smtpError('Temporary lookup failure, try again later', 451)),
      );
    },
    onData(stream, session, callback) {
      collect(stream).then(
        async (raw) => {
          if (stream.sizeExceeded) return callback(smtpError(`Message exceeds the ${options.maxBytes}-byte limit`, 552));
          try {
            await options.store(raw, {
              // SPF is judged on who connected and what they said, not on the headers they wrote.
              clientIp: session.remoteAddress || null,
              helo: session.hostNameAppearsAs || null,
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              recipients: session.envelope.rcptTo.map((r) => r.address),
            });
            callback(null, 'Queued');
          } catch (error) {
            options.onStoreError?.(error);
            callback(smtpError('Could not store the message, try again later', 451));
          }
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Reads the whole message; past the size limit the rest is drained, not kept. */
async function collect(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) if (!stream.sizeExceeded) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
