// The directory source's tar stream and the directory target's extraction, without the stack: a tree
// (nested, unicode and 100+ byte names, empty files, modes, mtimes, a symlink) round-trips exactly; GNU
// tar reads the stream as the same tree; a cut stream, a bad checksum and an escaping path are refused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { IntegrityError } from '../../src/pipeline/errors';
import { tarDirectory } from '../../src/pipeline/tar-directory';
import { entryHeader, endOfArchive } from '../../src/pipeline/tar-format';
import { untar } from '../../src/pipeline/untar';
import { buildTree, describeTree } from '../support/tree';

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

describe('pipeline tar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'azb-tar-'));
  const src = join(dir, 'src');

  it('round-trips a tree exactly, in any chunking, and GNU tar reads it the same', async () => {
    await buildTree(src, { files: 120, largeFileBytes: 3 * 1024 * 1024 + 17 });
    const tar = await collect(tarDirectory(src));
    const expected = await describeTree(src);
    for (const size of [tar.length, 511, 4096 * 3 + 1]) {
      const out = join(dir, `out-${size}`);
      const stats = await untar(chunked(tar, size), out);
      assert.equal(stats.files, 120);
      assert.deepEqual(await describeTree(out), expected);
    }
    const gnu = join(dir, 'gnu');
    execFileSync('mkdir', [gnu]);
    execFileSync('tar', ['-xf', '-', '-C', gnu], { input: tar });
    assert.deepEqual(await describeTree(gnu), expected);
  });

  it('refuses a cut stream, a damaged header and a path leaving the target', async () => {
    const tar = await collect(tarDirectory(src));
    await assert.rejects(untar(chunked(tar.subarray(0, tar.length - 2048), 1000), join(dir, 'cut')), (err) => {
      return err instanceof IntegrityError && err.problem === 'truncated';
    });
    const damaged = Buffer.from(tar);
    damaged[1034] = damaged[1034]! ^ 1;
    await assert.rejects(untar(chunked(damaged, 4096), join(dir, 'damaged')), /checksum/);
    const escaping = Buffer.concat([
      entryHeader({ path: '../evil', type: 'file', mode: 0o644, size: 0, mtime: '1' }),
      endOfArchive(),
    ]);
    await assert.rejects(untar(chunked(escaping, 512), join(dir, 'escape')), /outside the target/);
  });
});
