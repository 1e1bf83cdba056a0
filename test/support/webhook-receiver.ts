// A real HTTP endpoint for webhook tests: records every request's raw body and headers, and can be told
// to answer an error, or never answer, for its next requests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  headers: http.IncomingHttpHeaders;
  /** The bytes as they arrived, which is what a signature is checked over. */
  raw: Buffer;
  /** The body parsed as JSON. */
  json: any;
}

type Answer = { status: number } | 'hang';

export interface WebhookReceiver {
  url: string;
  readonly received: ReceivedRequest[];
  /** The next `count` requests get `answer` (a status, or no answer at all); later ones get 200. */
  answerNext(count: number, answer: Answer): void;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 at a free port. */
export async function startReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const queue: Answer[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ method: request.method ?? '', headers: request.headers, raw, json: raw.length ? JSON.parse(raw.toString('utf8')) : null });
      const answer = queue.shift() ?? { status: 200 };
      if (answer === 'hang') return;
      response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/threadbox`,
    received,
    answerNext(count, answer) {
      for (let i = 0; i < count; i++) queue.push(answer);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
