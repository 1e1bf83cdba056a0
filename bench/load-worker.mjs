// The load generator of the webhook benchmark, in its own process: in the server's process it would
// compete with the app for the event loop and inflate the latencies it measures. Plain JavaScript, so
// it starts without the TypeScript loader. Takes one request over IPC, answers with the result, exits.
//
// Burst: autocannon, as fast as the connections allow. Steady: requests sent one by one at their
// scheduled times (autocannon's rate limit sends each connection's share in step, so 50 connections
// would arrive as bursts of 50), each latency counted from its scheduled time, so a server that falls
// behind is not excused by a generator that waits for it.
import http from 'node:http';
import autocannon from 'autocannon';

/** @type {{ url: string; bodies: { raw: string; signature: string }[]; connections: number; rate?: number }} */
const { url, bodies, connections, rate } = await new Promise((resolve) => process.once('message', resolve));

const headersOf = (body) => ({ 'content-type': 'application/json', 'x-hub-signature-256': body.signature });

async function burst() {
  let next = 0;
  // autocannon reports its duration rounded up to its 1 s sampling tick: time the answers ourselves.
  let firstSent = 0;
  let lastAnswered = 0;
  const result = await autocannon({
    url,
    connections,
    amount: bodies.length,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          if (firstSent === 0) firstSent = performance.now();
          const body = bodies[next++ % bodies.length];
          return { ...request, body: body.raw, headers: headersOf(body) };
        },
        onResponse: () => {
          lastAnswered = performance.now();
        },
      },
    ],
  });
  const failed = result.non2xx > 0 || result.errors > 0 || result.timeouts > 0;
  return {
    perSecond: result.requests.total / ((lastAnswered - firstSent) / 1000),
    p50: result.latency.p50,
    p99: result.latency.p99,
    problems: failed ? `${result.non2xx} answers other than 2xx, ${result.errors} errors and ${result.timeouts} timeouts` : null,
  };
}

async function steady() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];
  let failures = 0;
  const post = (body, scheduled) =>
    new Promise((resolve) => {
      const request = http.request(url, { method: 'POST', agent, headers: headersOf(body) }, (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode !== 200) failures++;
          latencies.push(performance.now() - scheduled);
          resolve();
        });
      });
      request.on('error', () => {
        failures++;
        resolve();
      });
      request.end(body.raw);
    });
  const started = performance.now();
  const interval = 1000 / rate;
  const inFlight = [];
  for (let i = 0; i < bodies.length; i++) {
    const scheduled = started + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(post(bodies[i], scheduled));
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    perSecond: bodies.length / ((performance.now() - started) / 1000),
    p50: at(0.5),
    p99: at(0.99),
    problems: failures > 0 ? `${failures} requests failed or were not answered 200` : null,
  };
}

const report = rate ? await steady() : await burst();
process.send(report, () => process.disconnect());
