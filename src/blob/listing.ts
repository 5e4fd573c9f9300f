// Listing a source container page by page, as inventory items: what classification and the copy need
// of each blob (name, version, size, MD5, and, when listed in full, metadata and tags).
import type { BlobItem, ContainerClient, ContainerListBlobFlatSegmentResponse } from '@azure/storage-blob';
import { normalizeVersion } from '../domain/backup-naming';
import type { ListedBlob } from '../domain/classify';

export interface InventoryItem extends ListedBlob {
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface ListPagesOptions {
  prefix?: string;
  pageSize: number;
  /** With metadata and tags (what a copy needs), or lean (what classification needs, far cheaper). */
  full: boolean;
  continuationToken?: string;
  abortSignal?: AbortSignal;
}

export type ListingPages = AsyncIterableIterator<ContainerListBlobFlatSegmentResponse>;

export function listPages(container: ContainerClient, options: ListPagesOptions): ListingPages {
  return container
    .listBlobsFlat({
      prefix: options.prefix,
      includeMetadata: options.full,
      includeTags: options.full,
      abortSignal: options.abortSignal,
    })
    .byPage({ continuationToken: options.continuationToken, maxPageSize: options.pageSize });
}

/** One listing page's items, its next token (none at the end) and its last name. */
export function pageOf(listed: IteratorResult<ContainerListBlobFlatSegmentResponse>): {
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
