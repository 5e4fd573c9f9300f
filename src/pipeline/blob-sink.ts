// The end of a backup chain in Blob Storage: stages the stream as blocks, `concurrency` at a time, and
// commits the block list only once the whole stream has been read and every block is staged. A failed
// or aborted upload therefore leaves no committed blob (Azure drops uncommitted blocks after a week),
// and with `conditions: { ifNoneMatch: '*' }` a rerun can never replace a backup already written.
// Memory ≈ blockBytes × concurrency: a new block is allocated only once fewer than `concurrency` are in flight.
import type { BlobHTTPHeaders, BlobRequestConditions, BlockBlobClient } from '@azure/storage-blob';
import { createHash, randomBytes } from 'node:crypto';
import type { Sink, SinkWriteOptions } from './chain';
import type { Digest } from './meter';

/** Azure's limit on blocks per blob. */
const MAX_BLOCKS = 50_000;
const MAX_BLOCK_BYTES = 4000 * 1024 * 1024;

export interface BlobSinkOptions {
  /** Bytes per staged block; default 4 MiB. */
  blockBytes?: number;
  /** Blocks staged at once; default 2. */
  concurrency?: number;
  metadata?: Record<string, string>;
  /** Checked when the block list is committed, e.g. `{ ifNoneMatch: '*' }` to never overwrite. */
  conditions?: BlobRequestConditions;
  blobHTTPHeaders?: BlobHTTPHeaders;
}

export interface StoredBlob extends Digest {
  /** The blob's name in its container. */
  blob: string;
  etag: string;
}

export class BlobSink implements Sink<StoredBlob> {
  private readonly blockBytes: number;
  private readonly concurrency: number;

  constructor(
    private readonly target: BlockBlobClient,
    private readonly options: BlobSinkOptions = {},
  ) {
    this.blockBytes = options.blockBytes ?? 4 * 1024 * 1024;
    this.concurrency = options.concurrency ?? 2;
    if (!Number.isInteger(this.blockBytes) || this.blockBytes < 1 || this.blockBytes > MAX_BLOCK_BYTES) {
      throw new RangeError(`blockBytes must be a whole number from 1 to ${MAX_BLOCK_BYTES}, got ${this.blockBytes}`);
    }
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number of at least 1, got ${this.concurrency}`);
    }
  }

  async write(source: AsyncIterable<Buffer>, { abortSignal }: SinkWriteOptions): Promise<StoredBlob> {
    // Aborted on the first failed block too, so the others stop rather than finish for nothing.
    const staging = new AbortController();
    const stopStaging = () => staging.abort(abortSignal.reason);
    abortSignal.addEventListener('abort', stopStaging, { once: true });
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    const blockIds: string[] = [];
    const idPrefix = randomBytes(16).toString('hex');
    const hash = createHash('sha256');
    let bytes = 0;

    const stage = async (block: Buffer) => {
      if (blockIds.length === MAX_BLOCKS) {
        throw new RangeError(`${this.target.name}: more than ${MAX_BLOCKS} blocks; raise blockBytes`);
      }
      const id = Buffer.from(`${idPrefix}-${String(blockIds.length).padStart(6, '0')}`).toString('base64');
      blockIds.push(id);
      const staged: Promise<void> = this.target
        .stageBlock(id, block, block.length, {
          // A leased blob needs its lease id on Put Block too; the other conditions apply at commit.
          conditions: { leaseId: this.options.conditions?.leaseId },
          abortSignal: staging.signal,
        })
        .then(
          () => {},
          (error: unknown) => {
            failure ??= { error };
            staging.abort();
          },
        )
        .finally(() => inFlight.delete(staged));
      inFlight.add(staged);
      while (inFlight.size >= this.concurrency) await Promise.race(inFlight);
      if (failure) throw failure.error;
    };

    try {
      let block = Buffer.allocUnsafe(this.blockBytes);
      let filled = 0;
      for await (const chunk of source) {
        hash.update(chunk);
        bytes += chunk.length;
        for (let offset = 0; offset < chunk.length;) {
          const copied = chunk.copy(block, filled, offset, Math.min(chunk.length, offset + this.blockBytes - filled));
          filled += copied;
          offset += copied;
          if (filled === this.blockBytes) {
            await stage(block);
            block = Buffer.allocUnsafe(this.blockBytes);
            filled = 0;
          }
        }
      }
      if (filled > 0) await stage(block.subarray(0, filled));
      await Promise.all(inFlight);
      if (failure) throw failure.error;
      const committed = await this.target.commitBlockList(blockIds, {
        metadata: this.options.metadata,
        conditions: this.options.conditions,
        blobHTTPHeaders: this.options.blobHTTPHeaders,
        abortSignal,
      });
      return { blob: this.target.name, etag: committed.etag!, bytes, sha256: hash.digest('hex') };
    } finally {
      abortSignal.removeEventListener('abort', stopStaging);
      if (inFlight.size > 0) {
        staging.abort();
        await Promise.allSettled(inFlight);
      }
    }
  }
}
