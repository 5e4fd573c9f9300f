// Bounded memory, measured: 256 MiB through gzip + AES-256-GCM + both SHA-256 meters into a sink that
// discards it must not grow the process's resident memory by more than 64 MiB. A chain that buffered
// whole stages (dump, then compress, then encrypt) would grow by hundreds of MiB.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { aesGcmFilter } from '../../src/pipeline/aes-gcm';
import { runChain, type Sink } from '../../src/pipeline/chain';
import { EncryptionKey } from '../../src/pipeline/encryption-key';
import { forwardStages } from '../../src/pipeline/filter';
import { gzipFilter } from '../../src/pipeline/gzip';
import { HashMeter } from '../../src/pipeline/meter';

const MiB = 1024 * 1024;
const INPUT_BYTES = 256 * MiB;
const MAX_GROWTH_BYTES = 64 * MiB;

/** Semi-compressible text (gzip-1 keeps about half of it), built before memory is measured. */
function textPool(bytes: number): Buffer {
  const words = Array.from({ length: 4096 }, () => randomBytes(6).toString('base64'));
  return Buffer.from(
    Array.from({ length: bytes / 8 }, () => words[Math.floor(Math.random() * words.length)]).join(''),
    'latin1',
  );
}

/** `total` bytes as 64 KiB views of `pool`: the source itself holds no more than the pool. */
async function* repeat(pool: Buffer, total: number): AsyncGenerator<Buffer> {
  const piece = 64 * 1024;
  for (let sent = 0; sent < total; sent += piece) {
    const at = (sent / piece) % (pool.length / piece);
    yield pool.subarray(at * piece, (at + 1) * piece);
  }
}

/** Discards everything, sampling resident memory as bytes arrive. */
class PeakRssSink implements Sink<{ bytes: number; peakRss: number }> {
  async write(source: AsyncIterable<Buffer>) {
    let bytes = 0;
    let peakRss = process.memoryUsage.rss();
    for await (const chunk of source) {
      bytes += chunk.length;
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
    return { bytes, peakRss };
  }
}

describe('pipeline memory', () => {
  it('256 MiB through gzip + encryption + hashing grows resident memory by under 64 MiB', async () => {
    const key = new EncryptionKey('k1', randomBytes(32));
    const plain = new HashMeter();
    const stored = new HashMeter();
    const pool = textPool(4 * MiB);
    const before = process.memoryUsage.rss();
    const result = await runChain(
      repeat(pool, INPUT_BYTES),
      [plain, ...forwardStages([gzipFilter(), aesGcmFilter(key)]), stored],
      new PeakRssSink(),
    );
    const growth = result.peakRss - before;
    assert.equal(plain.digest().bytes, INPUT_BYTES, 'all of the input went through');
    assert.equal(stored.digest().bytes, result.bytes);
    assert.ok(result.bytes > 16 * MiB && result.bytes < INPUT_BYTES, `stored ${result.bytes} bytes`);
    assert.ok(growth < MAX_GROWTH_BYTES, `resident memory grew by ${(growth / MiB).toFixed(1)} MiB`);
  });
});
