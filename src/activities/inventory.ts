// Inventory: list one page of the source container and stage it in the backup container, so the page's
// work (a child workflow) gets a reference, never a list of names through Temporal.
import { Context } from '@temporalio/activity';
import { catalogPaths } from '../domain/catalog-layout';
import { normalizeVersion } from '../domain/backup-naming';
import type { ConnectionRegistry } from '../storage/connections';
import { writeNdjson } from '../storage/ndjson-blob';
import type { InventoryItem } from './backup-item';
import { keepAlive } from './keep-alive';
import { resolveConnection } from './failures';

export interface ListInventoryPageInput {
  source: string;
  container: string;
  prefix?: string;
  backup: string;
  backupContainer: string;
  scope: string;
  runKey: string;
  pageIndex: number;
  /** Recorded on the staged page: garbage collection keeps that run's catalog while this one runs. */
  previousRunKey?: string;
  continuationToken?: string;
  pageSize: number;
  maxRequestsPerSecond?: number;
}

export interface InventoryPage {
  count: number;
  /** Last name on the page: the upper bound of its name range. */
  lastName?: string;
  nextContinuationToken?: string;
}

export function createInventoryActivities(connections: ConnectionRegistry) {
  return {
    listInventoryPage(input: ListInventoryPageInput): Promise<InventoryPage> {
      return keepAlive(async () => {
        const cap = { maxRequestsPerSecond: input.maxRequestsPerSecond };
        const source = resolveConnection(() => connections.blob(input.source, cap), 'source');
        const backup = resolveConnection(() => connections.blob(input.backup, cap), 'backup');
        const abortSignal = Context.current().cancellationSignal;
        const pages = source.service
          .getContainerClient(input.container)
          .listBlobsFlat({ prefix: input.prefix, includeMetadata: true, includeTags: true, abortSignal })
          .byPage({ continuationToken: input.continuationToken, maxPageSize: input.pageSize });
        const first = await pages.next();
        const blobs = first.done ? [] : first.value.segment.blobItems;
        const items: InventoryItem[] = blobs.map((b) => ({
          name: b.name,
          etag: normalizeVersion(b.properties.etag ?? ''),
          lastModified: b.properties.lastModified.toISOString(),
          size: b.properties.contentLength ?? 0,
          md5: b.properties.contentMD5?.length ? Buffer.from(b.properties.contentMD5).toString('base64') : undefined,
          contentType: b.properties.contentType,
          accessTier: b.properties.accessTier,
          metadata: b.metadata && Object.keys(b.metadata).length ? b.metadata : undefined,
          tags: b.tags && Object.keys(b.tags).length ? b.tags : undefined,
        }));
        const target = backup.service.getContainerClient(input.backupContainer);
        await writeNdjson(
          target.getBlockBlobClient(catalogPaths.inventory(input.scope, input.runKey, input.pageIndex)),
          items,
          { abortSignal, metadata: input.previousRunKey ? { previousrun: input.previousRunKey } : undefined },
        );
        return {
          count: items.length,
          lastName: items.at(-1)?.name,
          nextContinuationToken: (first.done ? undefined : first.value.continuationToken) || undefined,
        };
      });
    },
  };
}
