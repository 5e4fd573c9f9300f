// Directory trees for the pipeline tests: build one (nested, unicode names, empty files, a large file),
// and describe one (every entry's path, type, mode, mtime to the millisecond and content SHA-256) so two
// trees compare with one deepEqual.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readlink, symlink, utimes, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  mtimeMs: number;
  size: number;
  sha256?: string;
  target?: string;
}

export interface TreeOptions {
  files: number;
  /** One file of this many bytes (semi-compressible), besides the small ones. */
  largeFileBytes?: number;
}

const NAMES = ['données', '日本語', 'emoji-🎉', 'space name', 'Ünïcödé', 'plain'];

/** Writes `files` files (a few empty, one large) under nested directories with varied modes and mtimes. */
export async function buildTree(root: string, options: TreeOptions): Promise<void> {
  await mkdir(root, { recursive: true });
  const deep = join(root, 'a', 'b', 'c', 'd'.repeat(120), 'e');
  await mkdir(deep, { recursive: true });
  let written = 0;
  for (let i = 0; written < options.files - (options.largeFileBytes ? 1 : 0); i++) {
    const dir = i % 10 === 0 ? deep : join(root, NAMES[i % NAMES.length]!, `sub-${i % 7}`);
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${NAMES[(i * 3) % NAMES.length]}-${i}.txt`);
    await writeFile(file, i % 25 === 0 ? '' : `file ${i}\n`.repeat(1 + (i % 50)));
    await chmod(file, [0o644, 0o600, 0o755, 0o640][i % 4]!);
    await utimes(file, 1_600_000_000 + i + 0.123, 1_600_000_000 + i * 7 + 0.456);
    written++;
  }
  if (options.largeFileBytes) {
    const handle = await open(join(root, 'large.bin'), 'w');
    const block = Buffer.alloc(1024 * 1024);
    for (let at = 0; at < options.largeFileBytes; at += block.length) {
      // A counter every 64 bytes: gzip shrinks it, yet no two blocks are alike.
      for (let j = 0; j < block.length; j += 64) block.writeUInt32BE(at + j, j);
      await handle.write(block, 0, Math.min(block.length, options.largeFileBytes - at));
    }
    await handle.close();
  }
  await symlink('a/b', join(root, 'link-to-b'));
  await chmod(join(root, 'a', 'b'), 0o750);
  await utimes(join(root, 'a'), 1_500_000_000.5, 1_500_000_000.5);
}

/** Every entry under `root` (the root itself excluded), sorted by path. */
export async function describeTree(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const walk = async (rel: string) => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const full = join(root, path);
      const st = await lstat(full);
      const base = { path, mode: st.mode & 0o7777, mtimeMs: Math.floor(st.mtimeMs), size: st.isFile() ? st.size : 0 };
      if (st.isSymbolicLink()) out.push({ ...base, type: 'symlink', target: await readlink(full) });
      else if (st.isDirectory()) {
        out.push({ ...base, type: 'directory' });
        await walk(path);
      } else out.push({ ...base, type: 'file', sha256: await sha256File(full) });
    }
  };
  await walk('');
  return out;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
