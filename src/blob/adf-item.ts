// One blob of a page Data Factory moved, verified like the worker's own copies. ADF copies the base blob
// (its Azure Blob connector cannot read snapshots) to the name the plan gave the listed version; the
// copy counts only if it is that version: same size and MD5 as listed (read back in deep mode). Anything
// else (ADF skipped it because the source was gone, or copied a newer version of the base blob) is not
// this run's copy of the listed version, and the worker's own engine backs the item up instead, which
// reports a copy that does not match and never deletes it.
import type { ItemResult } from '../catalog/page-journal';
import type { CatalogEntry } from '../domain/catalog-record';
import { unlessNotFound } from '../storage/errors';
import type { ItemContext } from './backup-item';
import type { InventoryItem } from './listing';
import { verifyCopy } from './verify';

/** What the plan of a Data Factory page records per blob it sent: the copy's name, and its snapshot. */
export interface PlannedAdfCopy {
  name: string;
  copy: string;
  /** The snapshot of the listed version taken before the move (when the run takes snapshots). */
  snapshot?: string;
}

/** The item's result when ADF's copy is the listed version; undefined when the worker must back it up. */
export async function verifyAdfCopy(
  ctx: ItemContext,
  item: InventoryItem,
  planned: PlannedAdfCopy,
): Promise<ItemResult | undefined> {
  const base = ctx.sourceContainer.getBlobClient(item.name);
  const from = planned.snapshot ? base.withSnapshot(planned.snapshot) : base;
  const target = ctx.backupContainer.getBlockBlobClient(planned.copy);
  // Even with verify 'none' the MD5 is compared: it is what tells the listed version from a newer one.
  const mode = ctx.verify === 'none' ? 'md5' : ctx.verify;
  const check = await unlessNotFound(
    verifyCopy({ blob: from, size: item.size, md5: item.md5 }, target, mode, ctx.abortSignal),
  );
  if (!check?.ok) return undefined;
  const entry: CatalogEntry = {
    name: item.name,
    etag: item.etag,
    lastModified: item.lastModified,
    size: item.size,
    md5: check.md5,
    contentType: item.contentType,
    snapshot: planned.snapshot,
    copy: planned.copy,
    verified: ctx.verify !== 'none',
    backedUpAt: ctx.runStartedAt,
  };
  return { name: item.name, outcome: 'copied', entry, snapshotted: planned.snapshot !== undefined, bytes: item.size };
}
