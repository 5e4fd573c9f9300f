// Sink `blob`: a container in a backup account. Objects are staged as blocks from the stream
// (`blockBytes` × `concurrency` of memory) and committed only at the end, never over an existing blob
// (BlobSink); the run's catalog is JSON beside them.
import { z } from 'zod';
import { readJson, writeJson } from '../../catalog/ndjson-blob';
import { statusCodeOf, unlessNotFound } from '../../storage/errors';
import { BlobSink } from '../blob-sink';
import { readBlob } from '../blob-source';
import type { SinkPlugin } from './plugin';

const MiB = 1024 * 1024;
const schema = z
  .object({
    connection: z.string().min(1),
    container: z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, { error: 'must be a container name' }),
    /** Bytes per staged block: 1 to 100 MiB, default 4 MiB. */
    blockBytes: z
      .number()
      .int()
      .min(1)
      .max(100 * MiB)
      .optional(),
    /** Blocks in flight at once: 1 to 16, default 2. */
    concurrency: z.number().int().min(1).max(16).optional(),
  })
  .strict();

export const blobSinkPlugin: SinkPlugin<z.infer<typeof schema>> = {
  kind: 'blob',
  schema,
  async check(spec, field, ctx) {
    ctx.blob(spec.connection, `${field}.connection`);
  },
  open(spec, ctx) {
    const container = ctx.blob(spec.connection, 'sink.connection').service.getContainerClient(spec.container);
    const abortSignal = ctx.signal;
    return {
      where: `blob ${spec.connection}/${spec.container}`,
      prepare: async () => void (await container.createIfNotExists({ abortSignal })),
      sink: (path) =>
        new BlobSink(container.getBlockBlobClient(path), {
          blockBytes: spec.blockBytes,
          concurrency: spec.concurrency,
          conditions: { ifNoneMatch: '*' },
        }),
      read: (path) => readBlob(container.getBlobClient(path), { abortSignal }),
      writeJson: (path, value) =>
        writeJson(container.getBlockBlobClient(path), value, { createOnly: true, abortSignal }),
      async readJson<T>(path: string) {
        try {
          return await readJson<T>(container.getBlobClient(path), abortSignal);
        } catch (err) {
          if (statusCodeOf(err) === 404) return undefined;
          throw err;
        }
      },
      async list(prefix) {
        const names: string[] = [];
        try {
          for await (const b of container.listBlobsFlat({ prefix, abortSignal })) names.push(b.name);
        } catch (err) {
          if (statusCodeOf(err) !== 404) throw err; // no container yet: nothing stored
        }
        return names.sort();
      },
      remove: async (path) => void (await unlessNotFound(container.deleteBlob(path, { abortSignal }))),
    };
  },
};
