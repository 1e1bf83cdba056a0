// Calls to the HTTP API: JSON in and out with the session cookie, one error type carrying the API's
// stable code and its sentence for people, and one signal when the session has ended.
import type { UploadedFile } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

type Listener = () => void;
const sessionEndedListeners = new Set<Listener>();

/** Called when a signed-in call is answered 401: the session expired or was ended elsewhere. */
export function onSessionEnded(listener: Listener): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

export function notifySessionEnded(): void {
  for (const listener of sessionEndedListeners) listener();
}

const OFFLINE = 'The server could not be reached. Check your connection and try again.';

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; details?: Record<string, unknown> } };
    if (body.error?.code) return new ApiError(response.status, body.error.code, body.error.message ?? 'Something went wrong.', body.error.details);
  } catch {
    // not the API's error shape; fall through
  }
  return new ApiError(response.status, 'UNEXPECTED', `The server answered ${response.status}; try again in a moment.`);
}

async function send(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (body !== undefined && !(body instanceof FormData)) headers.set('content-type', 'application/json');
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'OFFLINE', OFFLINE);
  }
  if (!response.ok) {
    const error = await errorOf(response);
    // Sign-in itself answers 401 for a wrong password; that is not an ended session.
    if (response.status === 401 && path !== '/api/auth/login') notifySessionEnded();
    throw error;
  }
  return response;
}

/** A JSON call; resolves with the parsed body (null for 204). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body);
  if (response.status === 204) return null as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = (path: string) => api<null>('DELETE', path);

/** A query string from the defined values. */
export function query(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The sentence to show for any failure. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong on this page; reload it and try again.';
}

/**
 * Uploads one file (multipart, as the API expects), reporting the share sent so far (0 to 1). XHR rather
 * than fetch: only XHR reports upload progress. Failures are the same ApiError as every other call.
 */
export function uploadFile(file: File, onProgress: (share: number) => void, signal?: AbortSignal): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/attachments');
    request.withCredentials = true;
    request.responseType = 'json';
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onerror = () => reject(new ApiError(0, 'OFFLINE', OFFLINE));
    request.onabort = () => reject(new ApiError(0, 'ABORTED', 'The upload was cancelled.'));
    request.onload = () => {
      const body = request.response as { attachment?: UploadedFile; error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null;
      if (request.status === 201 && body?.attachment) return resolve(body.attachment);
      if (request.status === 401) notifySessionEnded();
      reject(
        body?.error?.code
          ? new ApiError(request.status, body.error.code, body.error.message ?? 'The file could not be uploaded.', body.error.details)
          : new ApiError(request.status, 'UNEXPECTED', request.status === 413 ? 'This file is too large to send.' : `The server answered ${request.status}; try again in a moment.`),
      );
    };
    signal?.addEventListener('abort', () => request.abort());
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}
