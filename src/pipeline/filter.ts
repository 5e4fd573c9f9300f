// A filter is one reversible byte-stream step of a backup (compress, encrypt). The catalog records each
// filter's description in order, so a restore can rebuild the same chain and run it backwards.
import type { Transform } from 'node:stream';
import type { FilterDescription } from './filter-description';

export interface Filter {
  /** For logs and errors, e.g. `gzip-1`. */
  readonly name: string;
  /** What the catalog records; enough, with the worker's keys, to rebuild the filter. */
  readonly description: FilterDescription;
  /** A fresh stream for one object, applied when writing a backup. */
  forward(): Transform;
  /** A fresh stream undoing `forward`, applied when reading one back. */
  reverse(): Transform;
}

/** The stages that write through `filters`, in order. */
export function forwardStages(filters: readonly Filter[]): Transform[] {
  return filters.map((f) => f.forward());
}

/** The stages that read back what `filters` wrote: each one reversed, last filter first. */
export function reverseStages(filters: readonly Filter[]): Transform[] {
  return filters.map((f) => f.reverse()).reverse();
}

export function describeFilters(filters: readonly Filter[]): FilterDescription[] {
  return filters.map((f) => f.description);
}
