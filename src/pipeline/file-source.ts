// Reading a stored object back from a local file, the start of a restore or deep verify chain. It
// refuses the `.partial` files FileSink leaves while writing: they are never a complete backup.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

export interface ReadFileOptions {
  abortSignal?: AbortSignal;
}

export function readLocalFile(path: string, options: ReadFileOptions = {}): Readable {
  if (path.endsWith('.partial')) throw new Error(`${path} is an unfinished write, not a backup`);
  return createReadStream(path, { signal: options.abortSignal, highWaterMark: 256 * 1024 });
}
