// One `threadbox serve` OS process, run from the sources (`node --import tsx src/cli/main.ts serve`):
// started, SIGKILLed and started again by the run, and watched for exits nobody asked for.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

/** An exit of a server process the run did not cause. */
export interface UnexpectedExit {
  server: string;
  code: number | null;
  signal: string | null;
  atMs: number;
  outputTail: string;
}

/** Runs a CLI command to completion (e.g. create-user); throws with its output when it fails. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync(process.execPath, [...CLI, ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`threadbox ${args[0]} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

export class ServerProcess {
  url = '';
  private child: ChildProcess | null = null;
  private expectingExit = false;
  private readonly output: string[] = [];
  private readonly logStream: fs.WriteStream;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly env: NodeJS.ProcessEnv,
    logFile: string,
    private readonly onUnexpectedExit: (exit: UnexpectedExit) => void,
    private readonly elapsedMs: () => number,
  ) {
    this.logStream = fs.createWriteStream(logFile, { flags: 'a' });
  }

  /** Whether the process is running (started and not exited). */
  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and resolves with its address once it listens. */
  async start(timeoutMs = 60_000): Promise<string> {
    this.starts += 1;
    this.expectingExit = false;
    const child = spawn(process.execPath, [...CLI, 'serve'], { cwd: REPO_ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const listening = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not listen within ${timeoutMs} ms:\n${this.outputTail(30)}`)), timeoutMs);
      const onLine = (line: string) => {
        const match = /listening on (http:\/\/\S+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      for (const stream of [child.stdout!, child.stderr!]) {
        let pending = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          this.logStream.write(chunk);
          pending += chunk;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) {
            this.output.push(line);
            if (this.output.length > 200) this.output.shift();
            onLine(line);
          }
        });
      }
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited before listening (${code ?? signal}):\n${this.outputTail(30)}`));
      });
    });
    child.once('exit', (code, signal) => {
      if (this.expectingExit || this.child !== child) return;
      this.onUnexpectedExit({ server: this.name, code, signal, atMs: this.elapsedMs(), outputTail: this.outputTail(40) });
    });
    this.url = await listening;
    return this.url;
  }

  /** SIGKILL, as a crash or the OOM killer would; resolves once the process is gone. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM (a graceful stop), then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.signal('SIGTERM');
    clearTimeout(timer);
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** SIGKILL without waiting (an interrupted run leaving nothing behind). */
  killNow(): void {
    this.expectingExit = true;
    this.child?.kill('SIGKILL');
  }

  /** The last lines the process wrote, each cut to 400 characters (pino lines carry whole stacks). */
  outputTail(lines: number): string {
    return this.output
      .slice(-lines)
      .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
      .join('\n');
  }

  close(): void {
    this.logStream.end();
  }
}
