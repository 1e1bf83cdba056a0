// Checkpoints the WAL from a worker thread, so the thread that commits messages only appends to the
// WAL and never stops to copy pages back into the database file.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Plain JavaScript evaluated in the worker: it must load without the TypeScript toolchain.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
let timer = null;
const tick = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage(String(error && error.message || error)); }
  timer = setTimeout(tick, workerData.intervalMs);
};
// Stopping clears the next tick's timer: a pending timer would keep the worker alive until it fired.
parentPort.on('message', (m) => { if (m === 'stop') { clearTimeout(timer); db.close(); parentPort.close(); } });
tick();
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Starts checkpointing `file` every `intervalMs`; the worker never keeps the process alive. */
export function startCheckpointer(file: string, intervalMs = 250, onError: (message: string) => void = () => undefined): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, intervalMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  worker.unref();
  worker.on('message', (message: string) => onError(message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        // Referenced again so the process waits for the worker's last checkpoint and close.
        worker.ref();
        worker.postMessage('stop');
        await exited;
      })();
      return stopping;
    },
  };
}
