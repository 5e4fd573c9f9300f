// Target `blob`: the restored bytes as a new block blob, committed only once the whole stream has
// verified (BlobSink), and never over an existing blob.
import { z } from 'zod';
import { InvalidInputError } from '../../domain/failures';
import { statusCodeOf } from '../../storage/errors';
import { BlobSink } from '../blob-sink';
import { runChain } from '../chain';
import type { PluginContext, TargetPlugin } from './plugin';

const schema = z
  .object({ connection: z.string().min(1), container: z.string().min(3), blob: z.string().min(1) })
  .strict();
type Spec = z.infer<typeof schema>;

const container = (spec: Spec, field: string, ctx: PluginContext) =>
  ctx.blob(spec.connection, `${field}.connection`).service.getContainerClient(spec.container);
const client = (spec: Spec, field: string, ctx: PluginContext) =>
  container(spec, field, ctx).getBlockBlobClient(spec.blob);

export const blobTarget: TargetPlugin<Spec> = {
  kind: 'blob',
  schema,
  accepts: ['bytes', 'tar'],
  async check(spec, field, ctx) {
    const exists = await client(spec, field, ctx)
      .getProperties({ abortSignal: ctx.signal })
      .then(
        () => true,
        (err: unknown) => {
          if (statusCodeOf(err) === 404) return false;
          throw err;
        },
      );
    if (exists)
      throw new InvalidInputError(`${field}.blob`, `${field}.blob: ${spec.container}/${spec.blob} already exists`);
  },
  async restore(spec, source, ctx) {
    await container(spec, 'target', ctx).createIfNotExists({ abortSignal: ctx.signal });
    const blob = client(spec, 'target', ctx);
    const stored = await runChain(source.stream, [], new BlobSink(blob, { conditions: { ifNoneMatch: '*' } }), {
      abortSignal: ctx.signal,
    });
    return { container: spec.container, blob: spec.blob, bytes: stored.bytes };
  },
};
