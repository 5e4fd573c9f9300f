// Filter `aes-256-gcm`: authenticated encryption under a key the worker resolves by name (aes-gcm.ts);
// the catalog records the key's name, never the key. An unknown name fails before any write.
import { z } from 'zod';
import { aesGcmFilter } from '../aes-gcm';
import { filtersFromCatalog } from '../filters-from-catalog';
import type { FilterPlugin } from './plugin';

const schema = z.object({ key: z.string().min(1) }).strict();

export const aesGcmFilterPlugin: FilterPlugin<z.infer<typeof schema>> = {
  kind: 'aes-256-gcm',
  schema,
  extension: '.enc',
  build: async ({ key }, _field, ctx) => aesGcmFilter(await ctx.keys.resolve(key, { abortSignal: ctx.signal })),
  rebuild: async (description, ctx) => (await filtersFromCatalog([description], ctx))[0]!,
};
