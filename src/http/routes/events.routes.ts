// The realtime stream of a workspace as server-sent events, with heartbeats and resume by Last-Event-ID.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RealtimeEvent, RealtimeFeed } from '../../realtime/realtime-feed.js';
import { callerOf, requireCaller } from '../auth.js';
import { errorResponse } from '../schemas.js';

const HEARTBEAT_MS = 15_000;

const frame = (event: RealtimeEvent) => `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event.payload)}\n\n`;

export const eventRoutes: FastifyPluginAsyncZod<{ feed: RealtimeFeed }> = async (app, { feed }) => {
  // Streams never finish on their own; shutting down ends them so the server can close.
  const open = new Set<{ end(): void }>();
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });

  app.get(
    '/events',
    {
      preHandler: requireCaller,
      schema: {
        tags: ['realtime'],
        summary: 'Server-sent events of the workspace: ticket.created, ticket.updated, message.created, message.status',
        headers: z.object({ 'last-event-id': z.string().regex(/^\d+$/).optional() }).loose(),
        response: { 401: errorResponse },
      },
    },
    async (request, reply) => {
      const { workspaceId } = callerOf(request);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      raw.write(': connected\n\n');
      open.add(raw);
      // Events published while the gap is replayed arrive through the subscription and wait for it. The
      // feed hands each event over once, but not always in seq order (an event whose transaction committed
      // late comes late), so only what the replay already sent is skipped, never "anything below the last".
      const lastEventId = request.headers['last-event-id'];
      const replayed = new Set<number>();
      const send = (event: RealtimeEvent) => {
        if (!replayed.has(event.seq)) raw.write(frame(event));
      };
      const buffered: RealtimeEvent[] = [];
      let replaying = lastEventId !== undefined;
      const unsubscribe = feed.subscribe(workspaceId, (event) => (replaying ? buffered.push(event) : send(event)));
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), HEARTBEAT_MS);
      request.raw.on('close', () => {
        open.delete(raw);
        clearInterval(heartbeat);
        unsubscribe();
      });
      if (replaying) {
        for (const event of await feed.since(workspaceId, Number(lastEventId))) {
          send(event);
          replayed.add(event.seq);
        }
        replaying = false;
        buffered.forEach(send);
      }
    },
  );
};
