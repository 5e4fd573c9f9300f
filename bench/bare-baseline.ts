// Baselines measured on the same Azurite in the same run: what a hand-written @azure/storage-blob loop
// does for the same work, with no Temporal, catalog or journal around it.
import type { ContainerClient } from '@azure/storage-blob';
import { mapWithConcurrency } from '../src/lib/async-pool';
import type { BlobAccount } from '../src/storage/blob-account';

/**
 * Snapshot + Copy Blob From URL + MD5 check of every blob, `concurrency` at a time: two requests per
 * blob, like the workflow (the source MD5 comes from the listing and is sent with the copy, whose answer
 * carries the MD5 the service checked).
 */
export async function bareBackup(
  source: BlobAccount,
  container: string,
  target: ContainerClient,
  concurrency: number,
): Promise<number> {
  await target.createIfNotExists();
  const listed: { name: string; md5: Uint8Array | undefined }[] = [];
  for await (const b of source.service.getContainerClient(container).listBlobsFlat()) {
    listed.push({ name: b.name, md5: b.properties.contentMD5 });
  }
  await mapWithConcurrency(listed, concurrency, async ({ name, md5 }) => {
    const blob = source.service.getContainerClient(container).getBlobClient(name);
    const snap = await blob.createSnapshot();
    const copy = target.getBlockBlobClient(`bare/${name}`);
    const copied = await copy.syncCopyFromURL(await source.readUrl(blob.withSnapshot(snap.snapshot!)), {
      sourceContentMD5: md5,
    });
    if (Buffer.compare(Buffer.from(md5 ?? []), Buffer.from(copied.contentMD5 ?? [])) !== 0)
      throw new Error(`MD5 mismatch on ${name}`);
  });
  return listed.length;
}

/** Lists every blob page by page, as an incremental pass must. */
export async function bareListing(source: BlobAccount, container: string): Promise<number> {
  let n = 0;
  for await (const page of source.service.getContainerClient(container).listBlobsFlat().byPage({ maxPageSize: 5000 })) {
    n += page.segment.blobItems.length;
  }
  return n;
}
