// The end of a chain in a local file. It writes `<path>.partial`, syncs it, and only then renames it to
// `path`: a crash or a failed stream never leaves a half file under the final name, and the failure path
// removes the partial file. With `createOnly`, an existing file is refused up front and the final step is
// a hard link, which (unlike rename) fails rather than replace a file that appeared meanwhile.
import { createHash } from 'node:crypto';
import { access, link, open, rename, rm, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Sink, SinkWriteOptions } from './chain';
import type { Digest } from './meter';

export interface FileSinkOptions {
  /** Fail if `path` exists instead of replacing it. */
  createOnly?: boolean;
  /** Permissions of a new file; default 0o600 (backups are data the machine's other users should not read). */
  mode?: number;
}

export interface StoredFile extends Digest {
  path: string;
}

export class FileSink implements Sink<StoredFile> {
  constructor(
    readonly path: string,
    private readonly options: FileSinkOptions = {},
  ) {}

  async write(source: AsyncIterable<Buffer>, { abortSignal }: SinkWriteOptions): Promise<StoredFile> {
    if (this.options.createOnly && (await exists(this.path))) throw fileExists(this.path);
    const partial = `${this.path}.partial`;
    const hash = createHash('sha256');
    let bytes = 0;
    const file = await open(partial, 'w', this.options.mode ?? 0o600);
    let closed = false;
    try {
      for await (const chunk of source) {
        abortSignal.throwIfAborted();
        hash.update(chunk);
        bytes += chunk.length;
        for (let offset = 0; offset < chunk.length;) {
          offset += (await file.write(chunk, offset)).bytesWritten;
        }
      }
      await file.sync();
      await file.close();
      closed = true;
      if (this.options.createOnly) {
        await link(partial, this.path).catch((err: NodeJS.ErrnoException) => {
          throw err.code === 'EEXIST' ? fileExists(this.path) : err;
        });
        await unlink(partial);
      } else {
        await rename(partial, this.path);
      }
      await syncDirectory(dirname(this.path));
      return { path: this.path, bytes, sha256: hash.digest('hex') };
    } catch (err) {
      if (!closed) await file.close().catch(() => {});
      await rm(partial, { force: true });
      throw err;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function fileExists(path: string): Error {
  return Object.assign(new Error(`${path} already exists (createOnly)`), { code: 'EEXIST' });
}

/** Makes the rename itself durable: it lives in the directory. */
async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
