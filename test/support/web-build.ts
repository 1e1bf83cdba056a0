// The built web app for browser tests: dist/web, rebuilt only when a file under web/ is newer than it.
// Test files running at once build it once between them (a lock directory), never in parallel.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { systemClock } from '../../src/domain/clock.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const WEB_ROOT = path.join(ROOT, 'dist/web');
const SOURCES = path.join(ROOT, 'web');
const LOCK = path.join(ROOT, 'dist/.web-build-lock');
const LOCK_STALE_MS = 120_000;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  const index = path.join(WEB_ROOT, 'index.html');
  return fs.existsSync(index) && fs.statSync(index).mtimeMs >= newestSource(SOURCES) && fs.statSync(index).mtimeMs >= fs.statSync(path.join(ROOT, 'package-lock.json')).mtimeMs;
}

function takeLock(): boolean {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  try {
    fs.mkdirSync(LOCK);
    return true;
  } catch {
    // A lock left by a killed run would block every later one.
    if (systemClock.now() - fs.statSync(LOCK).mtimeMs > LOCK_STALE_MS) fs.rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

/** Builds the web app into dist/web unless it is up to date; resolves with its folder. */
export async function ensureWebAppBuilt(): Promise<string> {
  for (;;) {
    if (isFresh()) return WEB_ROOT;
    if (takeLock()) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  try {
    if (!isFresh()) await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT });
    return WEB_ROOT;
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}
