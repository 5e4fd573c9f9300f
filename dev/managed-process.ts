// Child processes of the dev stack: each runs in its own process group with its output in a log
// file, so that stopping the stack (or the parent dying) takes down everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ManagedProcessOptions {
  /** Human name used in messages ("Temporal dev server"). */
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: a parent that exits without stopping the stack still leaves no orphans behind.
  process.on('exit', () => {
    for (const p of live) p.kill('SIGKILL');
  });
  // A signal nobody else handles kills the process without 'exit': take the children along, then let
  // the signal do what it would have done. Programs with their own handler (dev, demo) stop gracefully.
  // Prepended, so it counts the others before they run: a `once` handler unregisters itself when called.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      for (const p of live) p.kill('SIGKILL');
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.prependListener(signal, onSignal);
  }
}

export class ManagedProcess {
  readonly child: ChildProcess;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;

  constructor(readonly options: ManagedProcessOptions) {
    installExitHook();
    const log = openSync(options.logFile, 'a');
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', log, log],
      detached: true, // own process group: kill(-pid) reaches grandchildren too
    });
    closeSync(log);
    live.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        resolve();
      });
      this.child.once('error', (err) => {
        this.exitInfo = { code: null, signal: null };
        this.spawnError = err;
        live.delete(this);
        resolve();
      });
    });
  }

  spawnError: Error | undefined;

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Why the process is gone, with the tail of its log, for error messages. */
  describeExit(): string {
    if (this.spawnError) return `${this.options.name} could not be started: ${this.spawnError.message}`;
    const how = this.exitInfo?.signal ? `signal ${this.exitInfo.signal}` : `exit code ${this.exitInfo?.code}`;
    return `${this.options.name} exited with ${how}. Last lines of ${this.options.logFile}:\n${this.logTail()}`;
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.hasExited) this.killGroup(signal);
  }

  private killGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  /** SIGTERM the process group, then SIGKILL after `graceInMs`; resolves once the process is gone. */
  async stop(graceInMs = 10_000): Promise<void> {
    if (this.hasExited) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceInMs);
    await this.exited;
    clearTimeout(timer);
    // The leader is gone; make sure nothing else in its group survives it, and wait until the kernel
    // has taken the stragglers (so their ports are free when stop() resolves).
    this.killGroup('SIGKILL');
    for (const deadline = Date.now() + 2_000; this.groupHasLiveMembers() && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private groupHasLiveMembers(): boolean {
    try {
      process.kill(-this.child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  }

  waitForExit(): Promise<void> {
    return this.exited;
  }
}
