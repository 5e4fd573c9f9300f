// A token bucket shared by every request a worker sends to one storage account, so that all concurrent
// activities together stay under a requests-per-second cap (Azure answers 503 "over the account limit").

export interface TokenBucketOptions {
  ratePerSecond: number;
  /** Tokens that may be spent at once after an idle period; default: one second's worth. */
  burst?: number;
  /** Injected for tests. */
  now?: () => number;
}

export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  private tokens: number;
  private last: number;
  private readonly now: () => number;
  /** Waiters in arrival order: the cap is fair, not first-to-poll. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${options.ratePerSecond}`);
    this.ratePerSecond = options.ratePerSecond;
    this.burst = Math.max(1, options.burst ?? Math.ceil(options.ratePerSecond));
    this.now = options.now ?? (() => performance.now());
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Resolves when a token is available (and takes it); rejects if `abortSignal` fires first. */
  take(abortSignal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken(abortSignal));
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async waitForToken(abortSignal?: AbortSignal): Promise<void> {
    for (;;) {
      abortSignal?.throwIfAborted();
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const waitInMs = ((1 - this.tokens) / this.ratePerSecond) * 1000;
      await sleep(waitInMs, abortSignal);
    }
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }
}

function sleep(ms: number, abortSignal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, Math.max(1, ms));
    function done() {
      abortSignal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(abortSignal!.reason);
    }
    abortSignal?.addEventListener('abort', onAbort, { once: true });
  });
}
