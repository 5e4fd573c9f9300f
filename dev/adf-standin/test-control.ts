// Test-only control of the stand-in, per factory, under /azbackup-test/ (never part of the ARM surface):
// make the next runs fail with a given message or stall (InProgress until cancelled or released), make the
// next ARM requests answer 429 (or another status) with or without Retry-After, and see what the stand-in
// was asked: every createRun with its rerun options, every cancel, request counts. Keyed by factory name so
// test files sharing one stand-in (the stack's) do not see each other's faults.

export type FaultRequest =
  | { kind: 'fail'; count?: number; message?: string }
  | { kind: 'stall'; count?: number }
  | { kind: 'throttle'; count?: number; status?: number; retryAfterSeconds?: number };

export interface CreateRunRecord {
  runId: string;
  pipelineName: string;
  parameters: Record<string, unknown>;
  referencePipelineRunId?: string;
  isRecovery?: boolean;
  startFromFailure?: boolean;
}

export interface FactoryStats {
  createRuns: CreateRunRecord[];
  cancels: { runId: string; isRecursive: boolean }[];
  /** ARM requests for this factory, throttled ones included. */
  requests: number;
  throttled: number;
}

interface FactoryControl {
  fails: string[];
  stalls: number;
  throttles: { status: number; retryAfterSeconds?: number }[];
  waiting: Set<() => void>;
  stats: FactoryStats;
}

export class TestControl {
  private readonly factories = new Map<string, FactoryControl>();

  private of(factory: string): FactoryControl {
    const id = factory.toLowerCase();
    let control = this.factories.get(id);
    if (!control) {
      control = {
        fails: [],
        stalls: 0,
        throttles: [],
        waiting: new Set(),
        stats: { createRuns: [], cancels: [], requests: 0, throttled: 0 },
      };
      this.factories.set(id, control);
    }
    return control;
  }

  addFault(factory: string, fault: FaultRequest): void {
    const control = this.of(factory);
    const count = fault.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error('count must be a whole number from 1');
    for (let i = 0; i < count; i++) {
      if (fault.kind === 'fail') control.fails.push(fault.message ?? 'Injected failure (azbackup-test).');
      else if (fault.kind === 'stall') control.stalls++;
      else if (fault.kind === 'throttle')
        control.throttles.push({ status: fault.status ?? 429, retryAfterSeconds: fault.retryAfterSeconds });
      else throw new Error(`unknown fault kind ${JSON.stringify((fault as { kind?: unknown }).kind)}`);
    }
  }

  /** What the next run of this factory does instead of (fail) or before (stall) its work. */
  takeRunFault(factory: string): { kind: 'fail'; message: string } | { kind: 'stall' } | undefined {
    const control = this.of(factory);
    const message = control.fails.shift();
    if (message !== undefined) return { kind: 'fail', message };
    if (control.stalls > 0) {
      control.stalls--;
      return { kind: 'stall' };
    }
    return undefined;
  }

  /** Resolves when the factory's stalled runs are released, rejects when `signal` aborts (the run was cancelled). */
  waitForRelease(factory: string, signal: AbortSignal): Promise<void> {
    const control = this.of(factory);
    return new Promise((resolve, reject) => {
      const release = () => {
        signal.removeEventListener('abort', abort);
        resolve();
      };
      const abort = () => {
        control.waiting.delete(release);
        reject(signal.reason);
      };
      if (signal.aborted) return abort();
      control.waiting.add(release);
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  release(factory: string): number {
    const control = this.of(factory);
    const released = [...control.waiting];
    control.waiting.clear();
    for (const release of released) release();
    return released.length;
  }

  /** Counts the request; a pending throttle fault answers it instead. */
  onRequest(factory: string): { status: number; retryAfterSeconds?: number } | undefined {
    const control = this.of(factory);
    control.stats.requests++;
    const throttle = control.throttles.shift();
    if (throttle) control.stats.throttled++;
    return throttle;
  }

  recordCreateRun(factory: string, record: CreateRunRecord): void {
    this.of(factory).stats.createRuns.push(record);
  }

  recordCancel(factory: string, runId: string, isRecursive: boolean): void {
    this.of(factory).stats.cancels.push({ runId, isRecursive });
  }

  stats(factory: string): FactoryStats {
    return this.of(factory).stats;
  }

  reset(factory: string): void {
    this.release(factory);
    this.factories.delete(factory.toLowerCase());
  }
}
