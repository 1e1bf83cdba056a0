// The files an agent attaches in the composer: each uploads as soon as it is picked or dropped, with its
// progress, and its failure in plain words; the message is sent with the ones that finished.
import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf, uploadFile } from '../../lib/api.js';

export interface PendingFile {
  key: string;
  name: string;
  size: number;
  /** 0 to 1 while uploading. */
  progress: number;
  state: 'uploading' | 'ready' | 'failed';
  /** The stored file, once uploaded. */
  id: string | null;
  error: string | null;
}

export interface FileUploads {
  files: PendingFile[];
  add(files: Iterable<File>): void;
  remove(key: string): void;
  clear(): void;
  /** The uploaded files' ids, in the order attached. */
  readyIds: string[];
  busy: boolean;
  failed: boolean;
  /** Why nothing more was attached, if something was refused before uploading. */
  refusal: string | null;
}

let counter = 0;

/** Attached files for one composer; `limit` is how many one message may carry. */
export function useFileUploads(limit: number, limitReason: string): FileUploads {
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [refusal, setRefusal] = useState<string | null>(null);
  const uploads = useRef(new Map<string, AbortController>());
  useEffect(() => {
    const running = uploads.current;
    return () => running.forEach((upload) => upload.abort());
  }, []);

  const change = (key: string, patch: Partial<PendingFile>) => setFiles((all) => all.map((f) => (f.key === key ? { ...f, ...patch } : f)));

  const add = (picked: Iterable<File>) => {
    const list = [...picked];
    const room = Math.max(0, limit - files.length);
    setRefusal(list.length > room ? limitReason : null);
    for (const file of list.slice(0, room)) {
      const key = `file-${counter++}`;
      const controller = new AbortController();
      uploads.current.set(key, controller);
      setFiles((all) => [...all, { key, name: file.name, size: file.size, progress: 0, state: 'uploading', id: null, error: null }]);
      uploadFile(file, (progress) => change(key, { progress }), controller.signal).then(
        (stored) => change(key, { state: 'ready', progress: 1, id: stored.id }),
        (failure: unknown) => !controller.signal.aborted && change(key, { state: 'failed', error: messageOf(failure) }),
      ).finally(() => uploads.current.delete(key));
    }
  };

  const remove = useCallback((key: string) => {
    uploads.current.get(key)?.abort();
    setFiles((all) => all.filter((f) => f.key !== key));
    setRefusal(null);
  }, []);

  const clear = useCallback(() => {
    setFiles([]);
    setRefusal(null);
  }, []);

  return {
    files,
    add,
    remove,
    clear,
    readyIds: files.flatMap((f) => (f.state === 'ready' && f.id ? [f.id] : [])),
    busy: files.some((f) => f.state === 'uploading'),
    failed: files.some((f) => f.state === 'failed'),
    refusal,
  };
}
