// A local directory as a tar stream (tar-format.ts): walked depth first in name order, one directory
// listing in memory at a time, each file read in 256 KiB chunks, so memory stays flat whatever the tree.
// Regular files, directories and symlinks with their names, modes and mtimes; other kinds (sockets,
// devices, FIFOs) are counted as skipped. A file whose size changes while it is read fails the stream:
// a tar entry's size is written before its data, and a silently short or cut file is not a backup.
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { endOfArchive, entryHeader, paddingFor, type EntryType } from './tar-format';

export interface TarStats {
  files: number;
  directories: number;
  symlinks: number;
  skipped: number;
  /** File content bytes (without tar headers). */
  contentBytes: number;
}

export interface TarDirectoryOptions {
  abortSignal?: AbortSignal;
  /** Filled in as the walk goes; final once the stream has ended. */
  stats?: TarStats;
}

export function emptyTarStats(): TarStats {
  return { files: 0, directories: 0, symlinks: 0, skipped: 0, contentBytes: 0 };
}

export async function* tarDirectory(root: string, options: TarDirectoryOptions = {}): AsyncGenerator<Buffer> {
  const stats = options.stats ?? emptyTarStats();
  const pending: string[] = ['.'];
  while (pending.length > 0) {
    const rel = pending.pop()!;
    const full = rel === '.' ? root : join(root, rel);
    options.abortSignal?.throwIfAborted();
    const st = await lstat(full, { bigint: true });
    const type: EntryType | undefined = st.isFile()
      ? 'file'
      : st.isDirectory()
        ? 'directory'
        : st.isSymbolicLink()
          ? 'symlink'
          : undefined;
    if (!type) {
      stats.skipped++;
      continue;
    }
    const size = type === 'file' ? Number(st.size) : 0;
    yield entryHeader({
      path: rel,
      type,
      mode: Number(st.mode & 0o7777n),
      size,
      mtime: nanosToSeconds(st.mtimeNs),
      linkTarget: type === 'symlink' ? await readlink(full) : undefined,
    });
    if (type === 'directory') {
      stats.directories++;
      const names = (await readdir(full)).sort();
      // Popped last first: reversed so that the walk visits names in order.
      for (let i = names.length - 1; i >= 0; i--) pending.push(rel === '.' ? names[i]! : `${rel}/${names[i]}`);
    } else if (type === 'symlink') {
      stats.symlinks++;
    } else {
      stats.files++;
      yield* fileData(full, size, options.abortSignal);
      stats.contentBytes += size;
      const pad = paddingFor(size);
      if (pad) yield Buffer.alloc(pad);
    }
  }
  yield endOfArchive();
}

async function* fileData(path: string, size: number, abortSignal?: AbortSignal): AsyncGenerator<Buffer> {
  if (size === 0) return;
  let read = 0;
  const stream = createReadStream(path, { start: 0, end: size - 1, highWaterMark: 256 * 1024, signal: abortSignal });
  for await (const chunk of stream) {
    read += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  if (read !== size) throw new Error(`${path} changed while it was read: ${read} bytes, expected ${size}`);
}

function nanosToSeconds(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  return frac === 0n ? String(s) : `${s}.${String(frac).padStart(9, '0').replace(/0+$/, '')}`;
}
