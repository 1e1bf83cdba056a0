// Tickets: list and read, "+ New", replies and notes, and every agent action. Routes validate and call
// the use cases; the rules live in the modules and the domain.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AGENT_SETTABLE_STATUSES, TICKET_PRIORITIES, TICKET_STATUSES } from '../../domain/ticket-status.js';
import type { Deps } from '../../modules/deps.js';
import { addNote } from '../../modules/messages/add-note.js';
import { replyToTicket } from '../../modules/messages/reply-to-ticket.js';
import { startTicket } from '../../modules/messages/start-ticket.js';
import { assignTicket, closeTicket, reopenTicket, setTicketPriority, setTicketStatus, setTicketTags } from '../../modules/tickets/ticket-actions.js';
import { splitTicket } from '../../modules/tickets/split-ticket.js';
import { getTicketDetail, listTickets, ticketView, THREAD_PAGE_MAX } from '../../modules/tickets/ticket-queries.js';
import { callerOf, requireCaller, teamActorOf } from '../auth.js';
import type { Caller } from '../../domain/caller.js';
import { authenticatedErrors, errorResponse, tagsInput } from '../schemas.js';

const id = z.string().min(1).max(64);
const ticketParams = z.object({ id });

const commentReply = z
  .strictObject({
    commentMessageId: id.describe("the id of the customer's comment message in this ticket"),
    mode: z.enum(['private', 'public']).describe('private: a direct message to the commenter (Instagram: within 7 days of the comment, once); public: a reply under the comment'),
  })
  .describe("Answer one of the ticket's comments instead of writing in the conversation; refusals: INSTAGRAM_PRIVATE_REPLY_EXPIRED, PRIVATE_REPLY_ALREADY_SENT, COMMENT_REPLY_UNSUPPORTED");

const outgoing = z.discriminatedUnion('kind', [
  // The text may be left out when files are attached (attachmentIds): the files are the message.
  z.strictObject({ kind: z.literal('text'), body: z.string().max(65_536).default(''), subject: z.string().max(998).optional() }),
  z.strictObject({
    kind: z.literal('template'),
    template: z.strictObject({ name: z.string().min(1).max(512), language: z.string().min(2).max(15), parameters: z.record(z.string(), z.unknown()).default({}) }),
    body: z.string().max(65_536).optional(),
  }),
]);

const attachmentIds = z.array(id).max(10).optional().describe('uploaded files (POST /api/attachments) to send with the message; each only once');

const statusChange = {
  setStatus: z.enum(AGENT_SETTABLE_STATUSES).optional(),
  snoozeUntil: z.number().int().positive().nullable().optional(),
};

const ticketSchema = z.object({
  id: z.string(),
  number: z.number(),
  status: z.enum(TICKET_STATUSES),
  priority: z.string(),
  subject: z.string().nullable(),
  channelId: z.string(),
  contact: z.object({ id: z.string(), name: z.string().nullable() }),
  createdBy: z.enum(['customer', 'agent']),
  creatorUserId: z.string().nullable(),
  assigneeUserId: z.string().nullable(),
  snoozedUntil: z.number().nullable(),
  lastMessagePreview: z.string().nullable(),
  lastMessageDirection: z.enum(['inbound', 'outbound']).nullable(),
  lastActivityAt: z.number(),
  createdAt: z.number(),
  closedAt: z.number().nullable(),
  closedByUserId: z.string().nullable(),
  closedByRuleId: z.string().nullable(),
  closeReason: z.string().nullable(),
  tags: z.array(z.string()),
  previousTicket: z
    .object({
      id: z.string(),
      number: z.number(),
      closedAt: z.number().nullable().describe('when it was closed; null if it has been reopened since'),
    })
    .nullable()
    .describe("the closed ticket this one continues: the same customer's previous ticket on the same channel (for email, the closed ticket a reply answered); null for the pair's first ticket"),
});

const messageView = z.object({ id: z.string(), status: z.string(), kind: z.string(), direction: z.string() }).loose();

const threadPage = z.strictObject({
  before: z.string().min(1).max(200).optional().describe("A thread's olderCursor: the page before it."),
  limit: z.coerce.number().int().min(1).max(THREAD_PAGE_MAX).optional().describe(`Messages in the page; ${THREAD_PAGE_MAX} at most, and by default.`),
});

const threadPageSchema = {
  messages: z.array(messageView),
  events: z.array(z.object({ id: z.string(), type: z.string() }).loose()),
  olderCursor: z.string().nullable().describe('Set when older messages exist: pass it as before to read them.'),
};
const actionResponse = { 200: z.object({ ticket: ticketSchema }), ...authenticatedErrors, 409: errorResponse, 422: errorResponse };


export const ticketRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.addHook('onRequest', requireCaller);
  const view = (caller: Caller, ticketId: string) => ticketView(deps.store.db, caller.workspaceId, ticketId);

  app.get(
    '/tickets',
    {
      schema: {
        tags: ['tickets'],
        summary: 'Tickets of the workspace, most recently active first',
        querystring: z.strictObject({
          status: z.string().max(100).transform((v) => v.split(',')).pipe(z.array(z.enum(TICKET_STATUSES))).optional().describe('comma-separated statuses'),
          channelId: id.optional(),
          assignee: z.string().max(64).optional().describe('me, unassigned, anyone or a user id'),
          createdBy: z.enum(['customer', 'agent']).optional(),
          tag: z.string().max(50).optional(),
          q: z.string().max(200).optional().describe('search: ticket number (#123 or 123), contact name or address, subject, tag or message text; case-insensitive'),
          cursor: z.string().max(512).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
        response: { 200: z.object({ tickets: z.array(ticketSchema), nextCursor: z.string().nullable() }), ...authenticatedErrors },
      },
    },
    async (request) => {
      const { cursor, limit, ...filters } = request.query;
      const caller = callerOf(request);
      return listTickets(deps.store.db, { workspaceId: caller.workspaceId, userId: caller.kind === 'integration' ? null : caller.userId }, filters, { cursor, limit });
    },
  );

  app.get(
    '/tickets/:id',
    {
      schema: {
        tags: ['tickets'],
        summary: 'One ticket with its newest messages (up to 100) and their timeline; olderCursor reads the page before',
        params: ticketParams,
        querystring: threadPage.pick({ limit: true }),
        response: { 200: z.object({ ticket: ticketSchema, ...threadPageSchema }), ...authenticatedErrors },
      },
    },
    async (request) => getTicketDetail(deps.store.db, callerOf(request), request.params.id, request.query),
  );

  app.get(
    '/tickets/:id/messages',
    {
      schema: {
        tags: ['tickets'],
        summary: "A page of a ticket's thread: the messages before the cursor, oldest first, with their timeline",
        params: ticketParams,
        querystring: threadPage,
        response: { 200: z.object(threadPageSchema), ...authenticatedErrors },
      },
    },
    async (request) => {
      const { ticket: _ticket, ...page } = await getTicketDetail(deps.store.db, callerOf(request), request.params.id, request.query);
      return page;
    },
  );

  app.post(
    '/tickets',
    {
      schema: {
        tags: ['tickets'],
        summary: '"+ New": start a conversation; 201 with a new ticket, or 200 with created: false and the active one',
        body: z.strictObject({
          channelId: id,
          contact: z.union([z.strictObject({ contactId: id }), z.strictObject({ address: z.string().min(1).max(320), name: z.string().max(200).optional() })]),
          message: outgoing,
          attachmentIds,
          ...statusChange,
        }),
        response: {
          200: z.object({ created: z.literal(false), ticket: ticketSchema, message: messageView }),
          201: z.object({ created: z.literal(true), ticket: ticketSchema, message: messageView }),
          ...authenticatedErrors,
          409: errorResponse,
          422: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const result = await startTicket(deps, teamActorOf(caller), request.body);
      const body = { created: result.created, ticket: await view(caller, result.ticket.id), message: { id: result.message.id, status: result.message.status, kind: result.message.kind, direction: result.message.direction } };
      return reply.code(result.created ? 201 : 200).send(body as never);
    },
  );

  app.post(
    '/tickets/:id/replies',
    {
      schema: {
        tags: ['tickets'],
        summary: 'Reply to the customer (under the reply window), optionally setting the status',
        params: ticketParams,
        body: z.strictObject({ message: outgoing, attachmentIds, ...statusChange, commentReply: commentReply.optional() }),
        response: { 201: z.object({ ticket: ticketSchema, message: messageView }), ...actionResponse },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const result = await replyToTicket(deps, teamActorOf(caller), request.params.id, request.body);
      return reply.code(201).send({ ticket: await view(caller, result.ticket.id), message: { id: result.message.id, status: result.message.status, kind: result.message.kind, direction: result.message.direction } });
    },
  );

  app.post(
    '/tickets/:id/notes',
    {
      schema: {
        tags: ['tickets'],
        summary: 'Add a private note (never sent to the customer), with files or files alone',
        params: ticketParams,
        body: z.strictObject({ body: z.string().max(65_536).default(''), attachmentIds }),
        response: { 201: z.object({ message: messageView }), ...authenticatedErrors, 409: errorResponse },
      },
    },
    async (request, reply) => {
      const note = await addNote(deps, teamActorOf(callerOf(request)), request.params.id, request.body.body, request.body.attachmentIds);
      return reply.code(201).send({ message: { id: note.id, status: note.status, kind: note.kind, direction: note.direction } });
    },
  );

  app.post(
    '/tickets/:id/split',
    {
      schema: {
        tags: ['tickets'],
        summary: 'Split into a new ticket: the message and every later one move to a new ticket that continues this one, which is closed; refusals: NOTHING_TO_SPLIT (the first message), TICKET_CLOSED',
        params: ticketParams,
        body: z.strictObject({ messageId: id.describe('the message of this ticket the new ticket starts with') }),
        response: { 201: z.object({ ticket: ticketSchema, previousTicket: ticketSchema }), ...actionResponse },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const split = await splitTicket(deps, teamActorOf(caller), request.params.id, request.body.messageId);
      return reply.code(201).send({ ticket: await view(caller, split.ticket.id), previousTicket: await view(caller, split.previous.id) });
    },
  );

  const action = <B extends z.ZodType>(path: string, summary: string, body: B, run: (caller: Caller, ticketId: string, body: z.infer<B>) => Promise<unknown>) =>
    app.post(`/tickets/:id/${path}`, { schema: { tags: ['tickets'], summary, params: ticketParams, body, response: actionResponse } }, async (request) => {
      const caller = callerOf(request);
      await run(caller, request.params.id, request.body as z.infer<B>);
      return { ticket: await view(caller, request.params.id) };
    });

  action('close', 'Close the ticket', z.strictObject({ reason: z.string().max(500).optional() }).nullish(), (c, t, b) => closeTicket(deps, teamActorOf(c), t, b?.reason ?? null));
  action('reopen', 'Reopen a closed ticket (refused when the customer has another active ticket there)', z.strictObject({}).nullish(), (c, t) => reopenTicket(deps, teamActorOf(c), t));
  action('assignee', 'Assign to a user of the workspace, or unassign with null', z.strictObject({ userId: id.nullable() }), (c, t, b) => assignTicket(deps, teamActorOf(c), t, b.userId));
  action('status', 'Set open, pending, resolved or snoozed (with snoozeUntil)', z.strictObject({ status: z.enum(AGENT_SETTABLE_STATUSES), snoozeUntil: z.number().int().positive().nullable().optional() }), (c, t, b) =>
    setTicketStatus(deps, teamActorOf(c), t, b.status, b.snoozeUntil),
  );
  action('priority', 'Set the priority', z.strictObject({ priority: z.enum(TICKET_PRIORITIES) }), (c, t, b) => setTicketPriority(deps, teamActorOf(c), t, b.priority));
  action('tags', "Replace the ticket's tags", z.strictObject({ tags: tagsInput }), (c, t, b) => setTicketTags(deps, teamActorOf(c), t, b.tags));
};
