// Name ranges of a catalog: each page of a run covers the names (lo, hi] it listed, so a reader finds
// the chunks that can hold a name, or a prefix, without reading the others.
import { compareNames } from './catalog-record';

/** A name range (lo, hi]: `lo` undefined is the start, `hi` undefined the end of the name space. */
export interface NameRange {
  lo?: string;
  hi?: string;
}

export function inRange(name: string, range: NameRange): boolean {
  return (
    (range.lo === undefined || compareNames(name, range.lo) > 0) &&
    (range.hi === undefined || compareNames(name, range.hi) <= 0)
  );
}

export function rangesOverlap(a: NameRange, b: NameRange): boolean {
  const startsBeforeEnd = a.lo === undefined || b.hi === undefined || compareNames(a.lo, b.hi) < 0;
  const endsAfterStart = a.hi === undefined || b.lo === undefined || compareNames(a.hi, b.lo) > 0;
  return startsBeforeEnd && endsAfterStart;
}

export function sameRange(a: NameRange, b: NameRange): boolean {
  return a.lo === b.lo && a.hi === b.hi;
}

/** Can a range hold a name a restore asks for: one of `names`, or one starting with `prefix`? */
export function rangeMayHold(range: NameRange, wanted: { names?: readonly string[]; prefix?: string }): boolean {
  const { lo, hi } = range;
  if (wanted.names) return wanted.names.some((n) => inRange(n, range));
  const p = wanted.prefix;
  if (!p) return true;
  return (hi === undefined || hi >= p) && (lo === undefined || lo < p || lo.startsWith(p));
}
