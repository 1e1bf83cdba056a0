// Attachments: upload a file (multipart, streamed to storage), read its details, download its bytes.
import fastifyMultipart, { type Multipart, type MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { fileTooLarge, isShownInline } from '../../domain/attachment-types.js';
import { DomainError } from '../../domain/errors.js';
import type { AttachmentStorage } from '../../modules/attachments/attachment-storage.js';
import { getAttachment, viewOfAttachment } from '../../modules/attachments/attachment.repo.js';
import { uploadAttachment } from '../../modules/attachments/upload-attachment.js';
import type { Deps } from '../../modules/deps.js';
import { callerOf, requireCaller } from '../auth.js';
import { contentDisposition } from '../content-disposition.js';
import { authenticatedErrors, errorResponse } from '../schemas.js';

export interface AttachmentRouteOptions {
  deps: Pick<Deps, 'store' | 'clock'>;
  storage: AttachmentStorage;
  /** The largest file accepted, in bytes. */
  maxBytes: number;
}

const attachmentView = z.object({ id: z.string(), fileName: z.string(), contentType: z.string(), sizeBytes: z.number(), createdAt: z.number(), url: z.string() });

const MISSING_FILE = 'Send the file as multipart/form-data, in one part named "file".';

export const attachmentRoutes: FastifyPluginAsyncZod<AttachmentRouteOptions> = async (app, { deps, storage, maxBytes }) => {
  // Registered here, not on the app, so multipart bodies reach this route only; every JSON route keeps
  // refusing them and keeps its 1 MiB body limit.
  await app.register(fastifyMultipart, { limits: { fileSize: maxBytes, files: 1, fields: 10, parts: 20 } });
  app.addHook('onRequest', requireCaller);

  app.post(
    '/attachments',
    {
      schema: {
        tags: ['attachments'],
        summary: 'Upload a file to attach to a reply or a new conversation',
        description:
          `Send multipart/form-data with one file part named \`file\`; its Content-Type part header is the declared type. At most ${maxBytes} bytes. ` +
          'Allowed: JPEG, PNG, WebP and GIF images; MP4 and 3GP video; AAC, M4A, MP3, AMR and OGG audio; PDF; plain text and CSV; Word, Excel and PowerPoint documents; ZIP. ' +
          'A declared type the bytes contradict is refused (415 ATTACHMENT_TYPE_MISMATCH); application/octet-stream takes the type the bytes show.',
        consumes: ['multipart/form-data'],
        // Documents the form for the OpenAPI document only; the multipart parser, not this schema, reads the body.
        body: z.object({ file: z.string().meta({ format: 'binary' }).describe('The file.') }).optional(),
        response: { 201: z.object({ attachment: attachmentView }), 413: errorResponse, 415: errorResponse, ...authenticatedErrors },
      },
      // The multipart body is not an object this schema can check; the handler refuses anything but a file.
      validatorCompiler: () => (data) => ({ value: data }),
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const parts = request.parts();
      const part = await filePartOf(request, parts);
      try {
        const attachment = await uploadAttachment(
          deps,
          storage,
          { workspaceId: caller.workspaceId, userId: caller.kind === 'integration' ? null : caller.userId },
          { fileName: part.filename, contentType: part.mimetype, content: contentOf(part.file, maxBytes, parts) },
          { maxBytes },
        );
        return reply.code(201).send({ attachment });
      } finally {
        await drain(part.file);
      }
    },
  );

  const params = z.object({ id: z.string().min(1).max(64) });

  app.get(
    '/attachments/:id',
    { schema: { tags: ['attachments'], summary: "An attachment's name, type and size", params, response: { 200: z.object({ attachment: attachmentView }), ...authenticatedErrors } } },
    async (request) => ({ attachment: viewOfAttachment(await getAttachment(deps.store.db, callerOf(request).workspaceId, request.params.id)) }),
  );

  app.get(
    '/attachments/:id/content',
    {
      schema: {
        tags: ['attachments'],
        summary: "Download an attachment's bytes",
        description: 'Images, video and audio are served inline, everything else as a download; the response may never run as a page of this site.',
        params,
        produces: ['*/*'],
        response: { 200: z.unknown().describe('The file, with its stored Content-Type.'), ...authenticatedErrors },
      },
    },
    async (request, reply) => {
      const attachment = await getAttachment(deps.store.db, callerOf(request).workspaceId, request.params.id);
      const content = await storage.get(attachment.storage_key);
      return reply
        .type(attachment.content_type)
        .header('content-length', attachment.size_bytes)
        .header('content-disposition', contentDisposition(attachment.file_name, isShownInline(attachment.content_type)))
        .header('x-content-type-options', 'nosniff')
        // Whatever the bytes are, a browser opening them gets no scripts, forms or same-origin access.
        .header('content-security-policy', 'sandbox')
        .header('cross-origin-resource-policy', 'same-origin')
        .header('cache-control', 'private, no-cache')
        .send(content);
    },
  );
};

type Parts = AsyncIterableIterator<Multipart>;

const invalidMultipart = () => new DomainError({ code: 'INVALID_MULTIPART', message: 'The multipart body is cut short or malformed; send the whole form again.' });
const tooManyFiles = () => new DomainError({ code: 'ATTACHMENT_TOO_MANY_FILES', message: 'Send one file per upload, in one part named "file".' });

/** The request's one file part, named "file"; anything else is refused before a byte is stored. */
async function filePartOf(request: FastifyRequest, parts: Parts): Promise<MultipartFile> {
  const missing = () => new DomainError({ code: 'ATTACHMENT_MISSING', message: MISSING_FILE });
  if (!request.isMultipart()) throw missing();
  let part: Multipart | undefined;
  try {
    // Form fields before the file are skipped.
    do part = (await parts.next()).value as Multipart | undefined;
    while (part && part.type !== 'file');
  } catch {
    // A body announced as multipart that does not parse as one.
    throw missing();
  }
  if (!part) throw missing();
  if (part.fieldname !== 'file') {
    await drain(part.file);
    throw missing();
  }
  return part;
}

/**
 * The part's bytes, then the rest of the form read to its end, so the upload fails before storage keeps
 * it when the body is cut short or carries a second file. The parser stops at `maxBytes` and marks the
 * part truncated, which fails the content too. A consumer that gives up does not destroy the part, so it
 * can still be drained.
 */
async function* contentOf(file: MultipartFile['file'], maxBytes: number, parts: Parts): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of file.iterator({ destroyOnReturn: false })) yield chunk as Buffer;
  } catch (error) {
    // The body ended (or broke) inside the part: over the limit, it is the size that matters.
    if (file.truncated) throw fileTooLarge(maxBytes);
    throw error instanceof DomainError ? error : invalidMultipart();
  }
  if (file.truncated) throw fileTooLarge(maxBytes);
  await restOfForm(parts);
}

/** Reads the form after the file: fields are ignored, a second file or a broken body refused. */
async function restOfForm(parts: Parts): Promise<void> {
  for (;;) {
    let next: IteratorResult<Multipart>;
    try {
      next = await parts.next();
    } catch (error) {
      // The parser stops at a second file ("files" limit of 1) or too many parts and fields.
      const code = (error as { code?: unknown }).code;
      if (code === 'FST_FILES_LIMIT') throw tooManyFiles();
      if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new DomainError({ code: 'VALIDATION_FAILED', message: 'The form has too many parts; send one file, in one part named "file".' });
      throw invalidMultipart();
    }
    if (next.done || !next.value) return;
    if (next.value.type === 'file') {
      await drain(next.value.file);
      throw tooManyFiles();
    }
  }
}

/**
 * Reads and discards what is left of a part, so the client finishes sending and reads our answer instead
 * of having its connection cut mid-upload.
 */
async function drain(file: Readable): Promise<void> {
  if (file.readableEnded || file.destroyed) return;
  file.resume();
  await finished(file).catch(() => undefined);
}
