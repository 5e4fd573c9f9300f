// Inventory: list one page of the source container and stage it in the backup container, so the page's
// work (a child workflow) gets a reference, never a list of names through Temporal.
import { Context } from '@temporalio/activity';
import type { BlobItem, ContainerClient, ContainerListBlobFlatSegmentResponse } from '@azure/storage-blob';
import { gunzipSync } from 'node:zlib';
import { liveBytes, type CatalogRecord } from '../domain/catalog-record';
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
  /** The run verifies: a page holding an unverified record is not settled (its blobs are verified). */
  requireVerified?: boolean;
}

/** A page the listing settled before the one it returns (all unchanged since the previous run). */
export interface SettledPage {
  count: number;
  lastName: string;
  /** Size of the live blobs its (rewritten) chunk holds. */
  bytesHeld: number;
}

export interface InventoryPage {
  count: number;
  /** Last name on the page: the upper bound of its name range. */
  lastName?: string;
  nextContinuationToken?: string;
  /** Nothing in the page changed since the previous run: its catalog chunk is written, no child needed. */
  settled?: boolean;
  /** With `settled`: size of the live blobs the page's chunk holds. */
  bytesHeld?: number;
  /** Pages settled before this one in the same call, in order (their indices precede this page's). */
  settledPages?: SettledPage[];
}

const MAX_SETTLED_PAGES = 50;
const SETTLE_BUDGET_MS = 30_000;

export function createInventoryActivities(connections: ConnectionRegistry) {
  return {
    listInventoryPage(input: ListInventoryPageInput): Promise<InventoryPage> {
      return keepAlive(async () => {
        const cap = { maxRequestsPerSecond: input.maxRequestsPerSecond };
        const source = resolveConnection(() => connections.blob(input.source, cap), 'source');
        const backup = resolveConnection(() => connections.blob(input.backup, cap), 'backup');
        const abortSignal = Context.current().cancellationSignal;
        const sourceContainer = source.service.getContainerClient(input.container);
        // On a no-change pass a page usually covers the same names as the previous run's chunk with the
        // same index: then it is settled here (that chunk rewritten, nothing staged, no child workflow),
        // and the listing goes on, fetching the next page while this one's chunk is written. Settling needs
        // names, versions and sizes only, so such pages are listed without metadata and tags (the costly
        // part of a listing); a page that turns out changed is listed again, in full, to be staged.
        const settle = input.settleUnchanged && input.previousRunKey !== undefined;
        const listPages = (continuationToken: string | undefined, full: boolean) =>
          sourceContainer
            .listBlobsFlat({ prefix: input.prefix, includeMetadata: full, includeTags: full, abortSignal })
            .byPage({ continuationToken, maxPageSize: input.pageSize });
        const pages = listPages(input.continuationToken, !settle);
        const target = backup.service.getContainerClient(input.backupContainer);
        if (input.pageIndex === 0) await markRunStarted(target, input);
        const settledPages: SettledPage[] = [];
        const writes: Promise<unknown>[] = [];
        const startedAt = Date.now();
        let lo = input.lo;
        let index = input.pageIndex;
        /** The token this page was listed from: a changed page is listed again from it. */
        let pageToken = input.continuationToken;
        let chunk = settle ? readChunk(target, input, index, abortSignal) : undefined;
        chunk?.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
        let next = pages.next();
        for (;;) {
          let { items, token, lastName } = pageOf(await next);
          const range = { lo, hi: token ? lastName : undefined };
          const previous = await chunk;
          if (!previous || items.length === 0 || !isSettled(items, previous, range, input)) {
            if (settle) {
              // Listed lean for settling: the page to stage needs metadata and tags. Whatever changed
              // meanwhile, this listing is the page (its own names, last name and next token).
              ({ items, token, lastName } = pageOf(await listPages(pageToken, true).next()));
            }
            await Promise.all(writes);
            await writeNdjson(
              target.getBlockBlobClient(catalogPaths.inventory(input.scope, input.runKey, index)),
              items,
              {
                abortSignal,
                metadata: input.previousRunKey ? { previousrun: input.previousRunKey } : undefined,
              },
            );
            return { count: items.length, lastName, nextContinuationToken: token, settledPages };
          }
          writes.push(
            target
              .getBlockBlobClient(catalogPaths.page(input.scope, input.runKey, index))
              .upload(previous.body, previous.body.length, {
                blobHTTPHeaders: { blobContentType: 'application/x-ndjson', blobContentEncoding: 'gzip' },
                metadata: rangeMetadata(range, previous.records.length),
                abortSignal,
              }),
          );
          const more =
            token && settledPages.length + 1 < MAX_SETTLED_PAGES && Date.now() - startedAt < SETTLE_BUDGET_MS;
          if (!more) {
            await Promise.all(writes);
            const bytesHeld = liveBytes(previous.records);
            return {
              count: items.length,
              lastName,
              nextContinuationToken: token,
              settled: true,
              bytesHeld,
              settledPages,
            };
          }
          settledPages.push({ count: items.length, lastName: lastName!, bytesHeld: liveBytes(previous.records) });
          Context.current().heartbeat();
          lo = lastName;
          pageToken = token;
          index++;
          chunk = readChunk(target, input, index, abortSignal);
          chunk.catch(() => {});
          next = pages.next();
        }
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
  index: number,
  abortSignal: AbortSignal,
): Promise<Chunk | undefined> {
  const blob = container.getBlobClient(catalogPaths.page(input.scope, input.previousRunKey!, index));
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

function isSettled(
  items: InventoryItem[],
  previous: Chunk,
  range: NameRange,
  options: Pick<ListInventoryPageInput, 'requireSnapshot' | 'requireVerified'>,
): boolean {
  if (!sameRange(previous.range, range)) return false;
  const page = classifyPage(items, previous.records, options);
  return page.deleted.length === 0 && page.items.every((c) => c.kind === 'unchanged');
}

/** One listing page's items, its next token (none at the end) and its last name. */
function pageOf(listed: IteratorResult<ContainerListBlobFlatSegmentResponse>): {
  items: InventoryItem[];
  token: string | undefined;
  lastName: string | undefined;
} {
  if (listed.done) return { items: [], token: undefined, lastName: undefined };
  const items = listed.value.segment.blobItems.map(toInventoryItem);
  return { items, token: listed.value.continuationToken || undefined, lastName: items.at(-1)?.name };
}

function toInventoryItem(b: BlobItem): InventoryItem {
  return {
    name: b.name,
    etag: normalizeVersion(b.properties.etag ?? ''),
    lastModified: b.properties.lastModified.toISOString(),
    size: b.properties.contentLength ?? 0,
    md5: b.properties.contentMD5?.length ? Buffer.from(b.properties.contentMD5).toString('base64') : undefined,
    contentType: b.properties.contentType,
    accessTier: b.properties.accessTier,
    metadata: b.metadata && Object.keys(b.metadata).length ? b.metadata : undefined,
    tags: b.tags && Object.keys(b.tags).length ? b.tags : undefined,
  };
}
