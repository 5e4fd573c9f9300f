// Inventory: list one page of the source container and stage it in the backup container, so the page's
// work (a child workflow) gets a reference, never a list of names through Temporal.
import { listPages, pageOf, type InventoryItem } from '../blob/listing';
import { markRunStarted, stageInventory } from '../catalog/staging';
import { CatalogStore, type StoredChunk } from '../catalog/store';
import { liveBytes } from '../domain/catalog-record';
import { classifyPage } from '../domain/classify';
import { sameRange, type NameRange } from '../domain/name-range';
import type { ConnectionRegistry } from '../storage/connections';
import { defineActivity } from './toolkit';

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
    listInventoryPage: defineActivity(
      connections,
      async (input: ListInventoryPageInput, { blob, signal, heartbeat }): Promise<InventoryPage> => {
        const cap = { maxRequestsPerSecond: input.maxRequestsPerSecond };
        const sourceContainer = blob(input.source, 'source', cap).service.getContainerClient(input.container);
        const target = blob(input.backup, 'backup', cap).service.getContainerClient(input.backupContainer);
        const store = new CatalogStore(target, input.scope);
        // On a no-change pass a page usually covers the same names as the previous run's chunk with the
        // same index: then it is settled here (that chunk rewritten, nothing staged, no child workflow),
        // and the listing goes on, fetching the next page while this one's chunk is written. Settling needs
        // names, versions and sizes only, so such pages are listed without metadata and tags (the costly
        // part of a listing); a page that turns out changed is listed again, in full, to be staged.
        const settle = input.settleUnchanged && input.previousRunKey !== undefined;
        const list = (continuationToken: string | undefined, full: boolean) =>
          listPages(sourceContainer, {
            prefix: input.prefix,
            pageSize: input.pageSize,
            full,
            continuationToken,
            abortSignal: signal,
          });
        const readChunk = (index: number) => {
          const chunk = store.chunk(input.previousRunKey!, index, signal);
          chunk.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
          return chunk;
        };
        const pages = list(input.continuationToken, !settle);
        if (input.pageIndex === 0)
          await markRunStarted(target, input.scope, input.runKey, input.previousRunKey, signal);
        const settledPages: SettledPage[] = [];
        const writes: Promise<unknown>[] = [];
        const startedAt = Date.now();
        let lo = input.lo;
        let index = input.pageIndex;
        /** The token this page was listed from: a changed page is listed again from it. */
        let pageToken = input.continuationToken;
        let chunk = settle ? readChunk(index) : undefined;
        let next = pages.next();
        for (;;) {
          let { items, token, lastName } = pageOf(await next);
          const range = { lo, hi: token ? lastName : undefined };
          const previous = await chunk;
          if (!previous || items.length === 0 || !isSettled(items, previous, range, input)) {
            // Listed lean for settling: the page to stage needs metadata and tags. Whatever changed
            // meanwhile, this listing is the page (its own names, last name and next token).
            if (settle) ({ items, token, lastName } = pageOf(await list(pageToken, true).next()));
            await Promise.all(writes);
            await stageInventory(target, { ...input, index }, items, signal);
            return { count: items.length, lastName, nextContinuationToken: token, settledPages };
          }
          writes.push(store.copyChunk(previous, input.runKey, index, range, signal));
          const bytesHeld = liveBytes(previous.records);
          const more =
            token && settledPages.length + 1 < MAX_SETTLED_PAGES && Date.now() - startedAt < SETTLE_BUDGET_MS;
          if (!more) {
            await Promise.all(writes);
            return {
              count: items.length,
              lastName,
              nextContinuationToken: token,
              settled: true,
              bytesHeld,
              settledPages,
            };
          }
          settledPages.push({ count: items.length, lastName: lastName!, bytesHeld });
          heartbeat();
          lo = lastName;
          pageToken = token;
          index++;
          chunk = readChunk(index);
          next = pages.next();
        }
      },
    ),
  };
}

function isSettled(
  items: InventoryItem[],
  previous: StoredChunk,
  range: NameRange,
  options: Pick<ListInventoryPageInput, 'requireSnapshot' | 'requireVerified'>,
): boolean {
  if (!sameRange(previous.range, range)) return false;
  const page = classifyPage(items, previous.records, options);
  return page.deleted.length === 0 && page.items.every((c) => c.kind === 'unchanged');
}
