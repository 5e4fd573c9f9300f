// Rebuilding an object's filter chain from what the catalog recorded, resolving each key id through the
// worker's keys: the restore side of `describeFilters`.
import { aesGcmFilter } from './aes-gcm';
import { IntegrityError } from './errors';
import type { Filter } from './filter';
import { filterDescriptionSchema } from './filter-description';
import { gzipFilter } from './gzip';
import type { KeyResolver } from './key-ring';

export interface FiltersFromCatalogOptions {
  keys: KeyResolver;
  abortSignal?: AbortSignal;
}

/**
 * Validates every description first (naming the index of a bad one: a record this build cannot read is
 * an IntegrityError, non-retryable), then resolves keys.
 */
export async function filtersFromCatalog(
  descriptions: readonly unknown[],
  options: FiltersFromCatalogOptions,
): Promise<Filter[]> {
  const parsed = descriptions.map((d, i) => {
    const result = filterDescriptionSchema.safeParse(d);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const field = [i, ...issue.path].join('.');
      const message = `filters.${field}: ${issue.message} (got ${JSON.stringify(d)})`;
      throw new IntegrityError('unsupported-format', message);
    }
    return result.data;
  });
  const filters: Filter[] = [];
  for (const d of parsed) {
    if (d.kind === 'gzip') filters.push(gzipFilter({ level: d.level }));
    else filters.push(aesGcmFilter(await options.keys.resolve(d.keyId, { abortSignal: options.abortSignal })));
  }
  return filters;
}
