// Reading what a backup run recorded, the way restore will: through the catalog in the backup account.
import type { ContainerClient } from '@azure/storage-blob';
import { CatalogStore } from '../../src/catalog/store';
import { catalogScope } from '../../src/domain/catalog-layout';
import type { CatalogRecord } from '../../src/domain/catalog-record';
import { readNdjson } from '../../src/catalog/ndjson-blob';

export async function runRecords(
  backup: ContainerClient,
  account: string,
  container: string,
  runKey: string,
): Promise<CatalogRecord[]> {
  const records: CatalogRecord[] = [];
  for await (const r of new CatalogStore(backup, catalogScope(account, container)).records(runKey)) records.push(r);
  return records;
}

export async function reportLines(
  backup: ContainerClient,
  report: string,
): Promise<{ name: string; outcome: string; reason: string }[]> {
  const lines: { name: string; outcome: string; reason: string }[] = [];
  for await (const line of readNdjson<{ name: string; outcome: string; reason: string }>(backup.getBlobClient(report)))
    lines.push(line);
  return lines;
}

export async function download(blob: {
  download(offset?: number): Promise<{ readableStreamBody?: NodeJS.ReadableStream }>;
}): Promise<Buffer> {
  const response = await blob.download(0);
  const chunks: Buffer[] = [];
  for await (const chunk of response.readableStreamBody!) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
