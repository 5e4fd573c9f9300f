// BlobSink against the real Azurite of the test stack: a multi-block upload reads back through the
// reverse chain to the same records with matching digests; an upload that fails or is aborted midway
// leaves no committed blob (only uncommitted blocks, which Azure discards); no more than `concurrency`
// blocks are in flight; `ifNoneMatch: '*'` never replaces an existing backup.
import type { ContainerClient } from '@azure/storage-blob';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { aesGcmFilter } from '../../src/pipeline/aes-gcm';
import { BlobSink } from '../../src/pipeline/blob-sink';
import { readBlob } from '../../src/pipeline/blob-source';
import { openChain, runChain } from '../../src/pipeline/chain';
import { EncryptionKey } from '../../src/pipeline/encryption-key';
import { forwardStages, reverseStages } from '../../src/pipeline/filter';
import { gzipFilter } from '../../src/pipeline/gzip';
import { HashMeter, VerifyingMeter } from '../../src/pipeline/meter';
import { decodeNdjson, encodeNdjson } from '../../src/pipeline/ndjson';
import { ConnectionRegistry } from '../../src/storage/connections';
import type { RequestDecorator } from '../../src/storage/pipeline-policies';
import { stackConfig, uniqueName } from '../support/stack';

const BLOCK_BYTES = 64 * 1024;
const key = new EncryptionKey('k1', randomBytes(32));
const filters = [gzipFilter(), aesGcmFilter(key)];

/** Documents with random text, so that gzip leaves several blocks' worth. */
function documents(count: number) {
  return Array.from({ length: count }, (_, i) => ({ id: `doc-${i}`, body: randomBytes(48).toString('base64') }));
}

async function* blocksThenFailure(blocks: number, error: Error): AsyncGenerator<Buffer> {
  for (let i = 0; i < blocks; i++) yield randomBytes(BLOCK_BYTES);
  throw error;
}

describe('BlobSink on Azurite', () => {
  let container: ContainerClient;

  before(async () => {
    const service = new ConnectionRegistry(stackConfig().connections).blob('backup').service;
    container = service.getContainerClient(uniqueName('pipeline'));
    await container.create();
  });
  after(async () => {
    await container.deleteIfExists();
  });

  it('uploads a multi-block stream that reads back through the reverse chain', async () => {
    const records = documents(20_000);
    const blob = container.getBlockBlobClient('export/part-0.ndjson.gz.enc');
    const plain = new HashMeter();
    const stored = await runChain(
      Readable.from(encodeNdjson(records)),
      [plain, ...forwardStages(filters)],
      new BlobSink(blob, {
        blockBytes: BLOCK_BYTES,
        concurrency: 3,
        metadata: { azbackupformat: 'ndjson' },
        conditions: { ifNoneMatch: '*' },
      }),
    );

    const blocks = await blob.getBlockList('committed');
    assert.equal(blocks.committedBlocks?.length, Math.ceil(stored.bytes / BLOCK_BYTES));
    assert.ok(blocks.committedBlocks!.length > 3, `${blocks.committedBlocks!.length} blocks`);
    const properties = await blob.getProperties();
    assert.equal(properties.contentLength, stored.bytes);
    assert.equal(properties.etag, stored.etag);
    assert.deepEqual(properties.metadata, { azbackupformat: 'ndjson' });
    const downloaded = await blob.downloadToBuffer();
    assert.equal(createHash('sha256').update(downloaded).digest('hex'), stored.sha256);

    const restored = openChain(readBlob(blob), [
      new VerifyingMeter(stored, 'stored bytes'),
      ...reverseStages(filters),
      new VerifyingMeter(plain.digest(), 'plaintext'),
    ]);
    const back: unknown[] = [];
    for await (const record of decodeNdjson(restored)) back.push(record);
    assert.deepEqual(back, records);
  });

  it('an empty stream commits an empty blob', async () => {
    const blob = container.getBlockBlobClient('empty');
    const stored = await runChain([], [], new BlobSink(blob, { blockBytes: BLOCK_BYTES }));
    assert.equal(stored.bytes, 0);
    assert.equal((await blob.getProperties()).contentLength, 0);
  });

  it('a stream that fails midway leaves no committed blob', async () => {
    const blob = container.getBlockBlobClient('failed');
    await assert.rejects(
      runChain(blocksThenFailure(5, new Error('source failed')), [], new BlobSink(blob, { blockBytes: BLOCK_BYTES })),
      /source failed/,
    );
    assert.equal(await blob.exists(), false);
    const staged = await blob.getBlockList('uncommitted');
    assert.ok((staged.uncommittedBlocks?.length ?? 0) >= 3, 'blocks had been staged before the failure');
  });

  it('an upload aborted midway leaves no committed blob', async () => {
    const blob = container.getBlockBlobClient('aborted');
    const controller = new AbortController();
    let sent = 0;
    async function* endless() {
      for (;;) {
        if (++sent === 6) controller.abort();
        yield randomBytes(BLOCK_BYTES);
      }
    }
    await assert.rejects(
      runChain(endless(), [], new BlobSink(blob, { blockBytes: BLOCK_BYTES, concurrency: 2 }), {
        abortSignal: controller.signal,
      }),
      { name: 'AbortError' },
    );
    assert.equal(await blob.exists(), false);
    const staged = await blob.getBlockList('uncommitted');
    assert.ok((staged.uncommittedBlocks?.length ?? 0) >= 2, 'blocks had been staged before the abort');
  });

  it('stages at most `concurrency` blocks at once, and does use them all', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    // Holds each Put Block a little, so that a sink able to exceed its limit would.
    const countPutBlocks: RequestDecorator = async (request, next) => {
      if (!request.url.includes('comp=block&') && !request.url.endsWith('comp=block')) return next(request);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        await sleep(30);
        return await next(request);
      } finally {
        inFlight--;
      }
    };
    const registry = new ConnectionRegistry(stackConfig().connections, { decorators: () => [countPutBlocks] });
    const blob = registry
      .blob('backup')
      .service.getContainerClient(container.containerName)
      .getBlockBlobClient('bounded');
    const data = randomBytes(12 * BLOCK_BYTES);
    await runChain([data], [], new BlobSink(blob, { blockBytes: BLOCK_BYTES, concurrency: 3 }));
    assert.equal(maxInFlight, 3);
    assert.ok((await blob.downloadToBuffer()).equals(data));
  });

  it("ifNoneMatch '*' fails on an existing name and leaves the existing blob as it was", async () => {
    const blob = container.getBlockBlobClient('existing');
    await blob.upload('the earlier backup', 18);
    const before = await blob.getProperties();
    await assert.rejects(
      runChain(
        [randomBytes(3 * BLOCK_BYTES)],
        [],
        new BlobSink(blob, { blockBytes: BLOCK_BYTES, conditions: { ifNoneMatch: '*' } }),
      ),
      (err: unknown) => (err as { statusCode?: number }).statusCode === 409,
    );
    const after = await blob.getProperties();
    assert.equal(after.etag, before.etag);
    assert.equal((await blob.downloadToBuffer()).toString(), 'the earlier backup');
  });
});
