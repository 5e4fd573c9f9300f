// Filter `gzip`: compression, level 1 by default (gzip.ts).
import { z } from 'zod';
import { filtersFromCatalog } from '../filters-from-catalog';
import { gzipFilter } from '../gzip';
import type { FilterPlugin } from './plugin';

const schema = z.object({ level: z.number().int().min(1).max(9).optional() }).strict();

export const gzipFilterPlugin: FilterPlugin<z.infer<typeof schema>> = {
  kind: 'gzip',
  schema,
  extension: '.gz',
  build: async ({ level }) => gzipFilter({ level }),
  rebuild: async (description, ctx) => (await filtersFromCatalog([description], ctx))[0]!,
};
