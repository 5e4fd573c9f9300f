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

export interface SampleSize {
  /** Exactly this many items (or all, when fewer exist). */
  count?: number;
  /** Each item with this probability, in percent. */
  percent?: number;
  /** Never more than this many, whichever size is asked. */
  maxItems: number;
}

/**
 * A drill's sample from one pass over a run's items: `count` uniformly, or each item with `percent`
 * probability. Capped percentages stay uniform (the picks go through a reservoir), rather than favouring
 * the first names in listing order.
 */
export class Sampler {
  private readonly random: () => number;
  private readonly reservoir: Reservoir<string>;

  constructor(
    private readonly size: SampleSize,
    seed: number,
  ) {
    this.random = seededRandom(seed);
    this.reservoir = new Reservoir(Math.min(size.count ?? size.maxItems, size.maxItems), this.random);
  }

  offer(name: string): void {
    if (this.size.percent === undefined || this.random() * 100 < this.size.percent) this.reservoir.offer(name);
  }

  /** The picked names, sorted. */
  picked(): string[] {
    return [...this.reservoir.items].sort();
  }
}
