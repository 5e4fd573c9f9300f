// How a catalog record names the filters an object went through, validated when read back: a record
// from a newer build (an unknown kind, a format this build cannot read) fails here with the field named,
// not halfway through a restore.
import { z } from 'zod';

export const gzipDescriptionSchema = z
  .object({ kind: z.literal('gzip'), level: z.number().int().min(1).max(9) })
  .strict();

export const aesGcmDescriptionSchema = z
  .object({
    kind: z.literal('aes-256-gcm'),
    /** The name of the key in the worker's `keys` config; never the key itself. */
    keyId: z.string().min(1),
    format: z.literal(1, { error: 'this build reads encryption format 1' }),
  })
  .strict();

export const filterDescriptionSchema = z.discriminatedUnion('kind', [gzipDescriptionSchema, aesGcmDescriptionSchema], {
  error: "unknown filter kind; this build knows 'gzip' and 'aes-256-gcm'",
});

export type FilterDescription = z.infer<typeof filterDescriptionSchema>;
