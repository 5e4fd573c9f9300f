// Seeding a source container with deterministic test blobs (demo, tests, benchmarks): varied names,
// sizes, content types and metadata, uploaded with bounded concurrency.
import type { ContainerClient } from '@azure/storage-blob';
import { createHash } from 'node:crypto';
import { mapWithConcurrency } from '../src/lib/async-pool';

export interface SeedOptions {
  count: number;
  /** Name prefix, e.g. `logs/2026/`. */
  prefix?: string;
  /** Bytes per blob; default varies between 64 B and 4 KiB. */
  sizeInBytes?: number;
  concurrency?: number;
}

export interface SeededBlob {
  name: string;
  size: number;
  md5: string;
}

export function seedContent(name: string, size: number): Buffer {
  // Deterministic, name-dependent bytes: a copy of the wrong blob can never compare equal.
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(name).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

export async function seedBlobs(container: ContainerClient, options: SeedOptions): Promise<SeededBlob[]> {
  await container.createIfNotExists();
  const names = Array.from(
    { length: options.count },
    (_, i) => `${options.prefix ?? ''}item-${String(i).padStart(6, '0')}.json`,
  );
  return mapWithConcurrency(names, options.concurrency ?? 32, async (name, i) => {
    const size = options.sizeInBytes ?? 64 + ((i * 997) % 4032);
    const body = seedContent(name, size);
    await container.getBlockBlobClient(name).uploadData(body, {
      blobHTTPHeaders: { blobContentType: i % 2 ? 'application/json' : 'application/octet-stream' },
      metadata: { seeded: 'true', index: String(i) },
    });
    return { name, size, md5: createHash('md5').update(body).digest('base64') };
  });
}
