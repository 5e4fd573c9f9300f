// Source `blob`: one blob's bytes (e.g. a database export a service already wrote). The download resumes
// pinned to the blob's ETag (blob-source.ts), so a blob replaced mid-run fails instead of mixing versions.
import { z } from 'zod';
import { InvalidInputError } from '../../domain/failures';
import { statusCodeOf } from '../../storage/errors';
import { readBlob } from '../blob-source';
import type { SourcePlugin } from './plugin';

const schema = z
  .object({ connection: z.string().min(1), container: z.string().min(3), blob: z.string().min(1) })
  .strict();
type Spec = z.infer<typeof schema>;

const client = (spec: Spec, field: string, ctx: Parameters<SourcePlugin['check']>[2]) =>
  ctx.blob(spec.connection, `${field}.connection`).service.getContainerClient(spec.container).getBlobClient(spec.blob);

export const blobSource: SourcePlugin<Spec> = {
  kind: 'blob',
  schema,
  format: 'bytes',
  extension: '.blob',
  async check(spec, field, ctx) {
    try {
      await client(spec, field, ctx).getProperties({ abortSignal: ctx.signal });
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
      throw new InvalidInputError(`${field}.blob`, `${field}.blob: ${spec.container}/${spec.blob} does not exist`);
    }
  },
  open(spec, ctx) {
    const blob = client(spec, 'source', ctx);
    return {
      stream: readBlob(blob, { abortSignal: ctx.signal }),
      describe: () => ({ container: spec.container, blob: spec.blob }),
    };
  },
};
