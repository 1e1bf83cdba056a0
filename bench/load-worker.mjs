// The load generator of the webhook benchmark, in its own process: in the server's process it would
// compete with the app for the event loop and inflate the latencies it measures. Plain JavaScript, so
// it starts without the TypeScript loader. Takes one request over IPC, answers with the result, exits.
import autocannon from 'autocannon';

/** @type {{ url: string; bodies: { raw: string; signature: string }[]; connections: number; rate?: number }} */
const { url, bodies, connections, rate } = await new Promise((resolve) => process.once('message', resolve));
let next = 0;
// autocannon reports its duration rounded up to its 1 s sampling tick: time the answers ourselves.
let firstSent = 0;
let lastAnswered = 0;
const result = await autocannon({
  url,
  connections,
  amount: bodies.length,
  ...(rate ? { overallRate: rate } : {}),
  requests: [
    {
      method: 'POST',
      setupRequest: (request) => {
        if (firstSent === 0) firstSent = performance.now();
        const body = bodies[next++ % bodies.length];
        return { ...request, body: body.raw, headers: { 'content-type': 'application/json', 'x-hub-signature-256': body.signature } };
      },
      onResponse: () => {
        lastAnswered = performance.now();
      },
    },
  ],
});
const failed = result.non2xx > 0 || result.errors > 0 || result.timeouts > 0;
const report = {
  perSecond: result.requests.total / ((lastAnswered - firstSent) / 1000),
  p50: result.latency.p50,
  p99: result.latency.p99,
  problems: failed ? `${result.non2xx} answers other than 2xx, ${result.errors} errors and ${result.timeouts} timeouts` : null,
};
process.send(report, () => process.disconnect());
