// gzip as a filter. Level 1 by default: backups are written every run and read rarely, and on these
// machines level 1 already takes most of a core (~118 MiB/s).
import { createGunzip, createGzip } from 'node:zlib';
import type { Filter } from './filter';

export interface GzipFilterOptions {
  /** 1 (fastest) to 9 (smallest); default 1. */
  level?: number;
}

/** zlib's default of 16 KiB means four times as many hops through the stream machinery. */
const ZLIB_CHUNK_BYTES = 64 * 1024;

export function gzipFilter(options: GzipFilterOptions = {}): Filter {
  const level = options.level ?? 1;
  if (!Number.isInteger(level) || level < 1 || level > 9) {
    throw new RangeError(`gzip level must be a whole number from 1 to 9, got ${level}`);
  }
  return {
    name: `gzip-${level}`,
    description: { kind: 'gzip', level },
    forward: () => createGzip({ level, chunkSize: ZLIB_CHUNK_BYTES }),
    reverse: () => createGunzip({ chunkSize: ZLIB_CHUNK_BYTES }),
  };
}
