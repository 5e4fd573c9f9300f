// FileSink: a backup lands under its final name complete or not at all (written to `.partial`, synced,
// renamed), a failure removes the partial file, and createOnly never replaces an existing file. The
// matching reader streams it back and refuses a `.partial` file.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runChain, type Sink } from '../../src/pipeline/chain';
import { FileSink } from '../../src/pipeline/file-sink';
import { readLocalFile } from '../../src/pipeline/file-source';
import { gzipFilter } from '../../src/pipeline/gzip';

const dir = mkdtempSync(join(tmpdir(), 'azbackup-file-sink-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function* pieces(bytes: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

class MemorySink implements Sink<Buffer> {
  async write(source: AsyncIterable<Buffer>): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of source) parts.push(part);
    return Buffer.concat(parts);
  }
}

describe('FileSink', () => {
  it('writes the stream under its final name, reports its digest, and leaves no partial file', async () => {
    const path = join(dir, 'complete.gz');
    const data = randomBytes(1024 * 1024 + 3);
    const stored = await runChain(pieces(data, 10_000), [], new FileSink(path));
    const onDisk = readFileSync(path);
    assert.ok(onDisk.equals(data));
    assert.deepEqual(stored, { path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    assert.ok(!existsSync(`${path}.partial`));
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('a stream that fails midway leaves neither the file nor its partial', async () => {
    const path = join(dir, 'failed.gz');
    let partialSeen = false;
    async function* failing() {
      yield randomBytes(100_000);
      yield randomBytes(100_000);
      // The sink opens the partial file while the first chunks go through gzip.
      for (let i = 0; i < 200 && !partialSeen; i++) {
        partialSeen = existsSync(`${path}.partial`);
        await sleep(10);
      }
      throw new Error('source failed');
    }
    await assert.rejects(runChain(failing(), [gzipFilter().forward()], new FileSink(path)), /source failed/);
    assert.ok(partialSeen, 'the data was being written to the partial file');
    assert.ok(!existsSync(path));
    assert.ok(!existsSync(`${path}.partial`));
  });

  it('an aborted write leaves neither the file nor its partial', async () => {
    const path = join(dir, 'aborted.gz');
    const controller = new AbortController();
    async function* endless() {
      for (let i = 0; ; i++) {
        if (i === 3) controller.abort();
        yield randomBytes(10_000);
      }
    }
    await assert.rejects(runChain(endless(), [], new FileSink(path), { abortSignal: controller.signal }), {
      name: 'AbortError',
    });
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('aborted')),
      [],
    );
  });

  it('createOnly refuses an existing file before writing, and leaves it as it was', async () => {
    const path = join(dir, 'existing.gz');
    writeFileSync(path, 'the earlier backup');
    let read = false;
    async function* source() {
      read = true;
      yield Buffer.from('a new backup');
    }
    await assert.rejects(runChain(source(), [], new FileSink(path, { createOnly: true })), { code: 'EEXIST' });
    assert.equal(readFileSync(path, 'utf8'), 'the earlier backup');
    assert.ok(!existsSync(`${path}.partial`));
    assert.ok(!read, 'nothing was read from the source');
  });

  it('createOnly still refuses a file that appears while the stream is written', async () => {
    const path = join(dir, 'raced.gz');
    async function* source() {
      yield Buffer.from('a new backup');
      writeFileSync(path, 'written meanwhile');
    }
    await assert.rejects(runChain(source(), [], new FileSink(path, { createOnly: true })), { code: 'EEXIST' });
    assert.equal(readFileSync(path, 'utf8'), 'written meanwhile');
    assert.ok(!existsSync(`${path}.partial`));
  });

  it('without createOnly, replaces an existing file whole', async () => {
    const path = join(dir, 'replaced.gz');
    writeFileSync(path, 'x'.repeat(10_000));
    await runChain([Buffer.from('short')], [], new FileSink(path));
    assert.equal(readFileSync(path, 'utf8'), 'short');
  });
});

describe('readLocalFile', () => {
  it('streams a stored file back through a reverse chain', async () => {
    const path = join(dir, 'round-trip.gz');
    const data = Buffer.from('{"a":1}\n'.repeat(10_000));
    const gzip = gzipFilter();
    await runChain([data], [gzip.forward()], new FileSink(path));
    const back = await runChain(readLocalFile(path), [gzip.reverse()], new MemorySink());
    assert.ok(back.equals(data));
  });

  it('refuses a partial file: it is never a complete backup', () => {
    assert.throws(() => readLocalFile(join(dir, 'x.gz.partial')), /is an unfinished write, not a backup/);
  });
});
