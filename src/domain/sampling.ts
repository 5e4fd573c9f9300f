// Seeded sampling for restore drills: the same seed picks the same items, so a failed drill can be
// rerun exactly. mulberry32 is small, fast and good enough to spread picks evenly.

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reservoir sampling: `count` items drawn uniformly from a stream of unknown length, in one pass. */
export class Reservoir<T> {
  private seen = 0;
  readonly items: T[] = [];

  constructor(
    private readonly count: number,
    private readonly random: () => number,
  ) {}

  offer(item: T): void {
    this.seen++;
    if (this.items.length < this.count) this.items.push(item);
    else {
      const j = Math.floor(this.random() * this.seen);
      if (j < this.count) this.items[j] = item;
    }
  }
}
