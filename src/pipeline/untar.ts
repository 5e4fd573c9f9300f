// Extracts a tar stream (tar-format.ts) into a directory that must be empty, as it arrives: one chunk in
// hand at a time. Paths that would leave the directory (absolute, `..`) are refused. Directory modes and
// mtimes are set at the end (writing a child changes its directory's mtime, and a read-only directory
// would refuse its children). The archive must end with its end blocks: a cut stream is an error.
import { chmod, lutimes, mkdir, open, symlink, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ByteQueue } from './byte-queue';
import { IntegrityError } from './errors';
import { BLOCK, paddingFor, parseHeader, parsePax } from './tar-format';
import { emptyTarStats, type TarStats } from './tar-directory';

export interface UntarOptions {
  abortSignal?: AbortSignal;
}

interface Pending {
  kind: 'pax' | 'file' | 'skip';
  remaining: number;
  padding: number;
  file?: FileHandle;
  pax?: Buffer[];
  finish?: () => Promise<void>;
}

export async function untar(input: AsyncIterable<Buffer>, root: string, options: UntarOptions = {}): Promise<TarStats> {
  const stats = emptyTarStats();
  const queue = new ByteQueue();
  const directories: { path: string; mode: number; mtime: number }[] = [];
  let pax = new Map<string, string>();
  let current: Pending | undefined;
  let ended = false;

  const startEntry = async (header: Buffer): Promise<void> => {
    const h = parseHeader(header);
    if (!h) {
      ended = true;
      return;
    }
    if (h.type === 'x' || h.type === 'g') {
      current = { kind: h.type === 'x' ? 'pax' : 'skip', remaining: h.size, padding: paddingFor(h.size), pax: [] };
      return;
    }
    const path = pax.get('path') ?? h.name;
    const size = Number(pax.get('size') ?? h.size);
    const mtime = Number(pax.get('mtime') ?? h.mtime);
    const link = pax.get('linkpath') ?? h.linkName;
    pax = new Map();
    const target = safeJoin(root, path);
    if (h.type === '5') {
      await mkdir(target, { recursive: true, mode: 0o700 });
      directories.push({ path: target, mode: h.mode, mtime });
      stats.directories++;
      current = { kind: 'skip', remaining: size, padding: paddingFor(size) };
    } else if (h.type === '2') {
      await symlink(link, target);
      await lutimes(target, mtime, mtime);
      stats.symlinks++;
      current = { kind: 'skip', remaining: 0, padding: 0 };
    } else if (h.type === '0' || h.type === '\0' || h.type === '7') {
      const file = await open(target, 'wx', 0o600);
      stats.files++;
      stats.contentBytes += size;
      current = {
        kind: 'file',
        remaining: size,
        padding: paddingFor(size),
        file,
        finish: async () => {
          await file.chmod(h.mode);
          await file.close();
          await utimes(target, mtime, mtime);
        },
      };
    } else {
      stats.skipped++;
      current = { kind: 'skip', remaining: size, padding: paddingFor(size) };
    }
  };

  /** Consumes what the queue holds of the current entry's data; true when the entry is done. */
  const feed = async (): Promise<boolean> => {
    const c = current!;
    while (c.remaining > 0 && queue.length > 0) {
      const piece = queue.take(Math.min(c.remaining, queue.length));
      c.remaining -= piece.length;
      if (c.kind === 'file') {
        for (let at = 0; at < piece.length;) at += (await c.file!.write(piece, at)).bytesWritten;
      } else if (c.kind === 'pax') c.pax!.push(piece);
    }
    if (c.remaining > 0 || queue.length < c.padding) return false;
    queue.take(c.padding);
    if (c.kind === 'pax') pax = parsePax(Buffer.concat(c.pax!));
    await c.finish?.();
    current = undefined;
    return true;
  };

  try {
    for await (const chunk of input) {
      options.abortSignal?.throwIfAborted();
      if (ended) {
        if (chunk.some((b) => b !== 0))
          throw new IntegrityError('trailing-data', 'data after the end of the tar archive');
        continue;
      }
      queue.push(chunk);
      for (;;) {
        if (current && !(await feed())) break;
        if (ended || queue.length < BLOCK) break;
        await startEntry(queue.take(BLOCK));
      }
    }
  } finally {
    await current?.file?.close().catch(() => {});
  }
  if (queue.length > 0 && queue.take(queue.length).some((b) => b !== 0))
    throw new IntegrityError('trailing-data', 'data after the end of the tar archive');
  if (!ended || current) throw new IntegrityError('truncated', 'the tar stream ends before its end-of-archive block');
  for (const d of directories.reverse()) {
    await chmod(d.path, d.mode);
    await utimes(d.path, d.mtime, d.mtime);
  }
  return stats;
}

function safeJoin(root: string, path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (path.startsWith('/') || parts.includes('..'))
    throw new IntegrityError('bad-header', `tar entry ${JSON.stringify(path)} would be written outside the target`);
  return parts.length ? join(root, ...parts) : root;
}
