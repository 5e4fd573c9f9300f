// Inventory: list one page of the source container and stage it in the backup container, so the page's
// work (a child workflow) gets a reference, never a list of names through Temporal.
import { Context } from '@temporalio/activity';
import type { ContainerClient } from '@azure/storage-blob';
import { gunzipSync } from 'node:zlib';
import type { CatalogRecord } from '../domain/catalog-record';
import { classifyPage } from '../domain/classify';
import { catalogPaths } from '../domain/catalog-layout';
import { normalizeVersion } from '../domain/backup-naming';
import type { ConnectionRegistry } from '../storage/connections';
import { writeNdjson } from '../storage/ndjson-blob';
import type { InventoryItem } from './backup-item';
import { keepAlive } from './keep-alive';
import { rangeFromMetadata, rangeMetadata, type NameRange } from './catalog-store';
import { resolveConnection, statusCodeOf } from './failures';

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
  /** Lower bound (exclusive) of this page's name range: the previous page's last name. */
  lo?: string;
  /** Incremental, not reconciling: a page identical to the previous run's is settled here. */
  settleUnchanged?: boolean;
  requireSnapshot?: boolean;
}

export interface InventoryPage {
  count: number;
  /** Last name on the page: the upper bound of its name range. */
  lastName?: string;
  nextContinuationToken?: string;
  /** Nothing in the page changed since the previous run: its catalog chunk is written, no child needed. */
  settled?: boolean;
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
        // Fetched while listing: on a no-change pass the previous run's chunk for this page usually
        // covers the same names, and then the page is settled here without staging or a child.
        const previousChunk =
          input.settleUnchanged && input.previousRunKey
            ? readChunk(backup.service.getContainerClient(input.backupContainer), input, abortSignal)
            : Promise.resolve(undefined);
        previousChunk.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
        if (input.pageIndex === 0)
          await markRunStarted(backup.service.getContainerClient(input.backupContainer), input);
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
        const nextContinuationToken = (first.done ? undefined : first.value.continuationToken) || undefined;
        const range = { lo: input.lo, hi: nextContinuationToken ? items.at(-1)?.name : undefined };
        const chunk = await previousChunk;
        if (chunk && items.length > 0 && sameRange(chunk.range, range)) {
          const page = classifyPage(items, chunk.records, { requireSnapshot: input.requireSnapshot });
          if (page.deleted.length === 0 && page.items.every((c) => c.kind === 'unchanged')) {
            await target
              .getBlockBlobClient(catalogPaths.page(input.scope, input.runKey, input.pageIndex))
              .upload(chunk.body, chunk.body.length, {
                blobHTTPHeaders: { blobContentType: 'application/x-ndjson', blobContentEncoding: 'gzip' },
                metadata: rangeMetadata(range, chunk.records.length),
                abortSignal,
              });
            return { count: items.length, lastName: items.at(-1)?.name, nextContinuationToken, settled: true };
          }
        }
        await writeNdjson(
          target.getBlockBlobClient(catalogPaths.inventory(input.scope, input.runKey, input.pageIndex)),
          items,
          { abortSignal, metadata: input.previousRunKey ? { previousrun: input.previousRunKey } : undefined },
        );
        return { count: items.length, lastName: items.at(-1)?.name, nextContinuationToken };
      });
    },
  };
}

interface Chunk {
  range: NameRange;
  records: CatalogRecord[];
  /** The gzipped NDJSON as stored: rewritten unchanged under this run. */
  body: Buffer;
}

/** The previous run's chunk with this page's index, if there is one. */
async function readChunk(
  container: ContainerClient,
  input: ListInventoryPageInput,
  abortSignal: AbortSignal,
): Promise<Chunk | undefined> {
  const blob = container.getBlobClient(catalogPaths.page(input.scope, input.previousRunKey!, input.pageIndex));
  try {
    const response = await blob.download(0, undefined, { abortSignal });
    const body = await streamToBuffer(response.readableStreamBody!);
    const records = gunzipSync(body)
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as CatalogRecord);
    return { range: rangeFromMetadata(response.metadata), records, body };
  } catch (err) {
    if (statusCodeOf(err) === 404) return undefined;
    throw err;
  }
}

function sameRange(a: NameRange, b: NameRange): boolean {
  return a.lo === b.lo && a.hi === b.hi;
}

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Staged with the inventory (so commit removes it): tells garbage collection this run is in progress and
 * which run it is classified against, even when every page is settled without staging anything.
 */
async function markRunStarted(container: ContainerClient, input: ListInventoryPageInput): Promise<void> {
  const marker = container.getBlockBlobClient(`${catalogPaths.runPrefix(input.scope, input.runKey)}inventory/started`);
  await marker.upload('', 0, { metadata: input.previousRunKey ? { previousrun: input.previousRunKey } : undefined });
}
