// A sliding window of child workflows: at most `size` running at once, each removed as it finishes.
// Deterministic (workflow code): children are started in the order `start` is called, and waiting for
// room is a Promise.race over the running ones, which Temporal replays in the same order.
export class ChildWindow {
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly size: number) {}

  get count(): number {
    return this.running.size;
  }

  /** Resolves once fewer than `size` children run; rejects as soon as one of them fails. */
  async room(): Promise<void> {
    while (this.running.size >= this.size) await Promise.race(this.running.values());
  }

  /** Tracks a started child under `key`; `onDone` runs with its result before it leaves the window. */
  add<T>(key: string, child: Promise<T>, onDone: (result: T) => void): void {
    this.running.set(
      key,
      child.then((result) => {
        onDone(result);
        this.running.delete(key);
      }),
    );
  }

  /** Resolves once every child has finished. */
  async drain(): Promise<void> {
    await Promise.all(this.running.values());
  }
}
