// backupCosmosContainer and restoreCosmos: Cosmos DB (NoSQL API) exported incrementally in `_ts` windows
// (export), as one full export (full), or upserted into another container (replica); restored as of a
// time. The fields are Cosmos DB's names; the body is shared with the Mongo API (windowed-backup.ts).
import { continueAsNew } from '@temporalio/workflow';
import { documentBackupProblems, documentRestoreProblems } from '../domain/export-input';
import type { Compression, ExportInputMode } from '../domain/export-manifest';
import {
  runWindowedBackup,
  type DocumentAddress,
  type WindowedBackupResult,
  type WindowedCarry,
} from './windowed-backup';
import { runWindowedRestore, type WindowedRestoreInput, type WindowedRestoreResult } from './windowed-restore';
import { continuedAsNew, rejectInvalidInput } from './workflow-rules';

export interface BackupCosmosContainerInput {
  /** Connection name of the Cosmos DB account (a `cosmos` connection in the worker's config). */
  cosmos: string;
  database: string;
  container: string;
  /**
   * export (default): `_ts` windows since the last run; full: every document; replica: into `target`;
   * adf: an export whose windows a Data Factory run moves (azbackup-cosmos-window), then the worker
   * compresses, encrypts, hashes and catalogs them exactly like its own export.
   */
  mode?: ExportInputMode;
  /** Mode adf: the `adf` connection of the factory the pipelines were deployed to. */
  adf?: string;
  /** Tuning: how often a Data Factory run is polled (default 15 s). */
  adfPollEveryMs?: number;
  /** Connection name of the backup account: the exported objects and the catalog. */
  backup?: string;
  backupContainer?: string;
  /** Replica mode: the container the documents are upserted into. */
  target?: DocumentAddress;
  /** ISO times bounding the export [from, to); default: from where the last run ended, to now minus the settle delay. */
  from?: string;
  to?: string;
  /** Window length (default 4 hours). */
  windowSeconds?: number;
  /** How far `to` stays behind now (default 300 s): writes still in flight. */
  settleSeconds?: number;
  /** gzip (default) or none. */
  compression?: Compression;
  gzipLevel?: number;
  /** The name of a key in the worker's config (never the key): AES-256-GCM. */
  encryptionKey?: string;
  /** Windows exported at once (default 4). */
  maxConcurrentWindows?: number;
  maxWindowsPerRun?: number;
  carry?: WindowedCarry;
}

export async function backupCosmosContainer(input: BackupCosmosContainerInput): Promise<WindowedBackupResult> {
  const context = { kind: 'cosmos-sql' as const, nowMs: Date.now(), continuedAsNew: continuedAsNew() };
  const names = { connection: 'cosmos', container: 'container' };
  rejectInvalidInput('backupCosmosContainer', documentBackupProblems(input, names, context));
  const { cosmos, database, container, ...rest } = input;
  return runWindowedBackup('cosmos-sql', { ...rest, source: { connection: cosmos, database, container } }, (carry) =>
    continueAsNew<typeof backupCosmosContainer>({ ...input, carry }),
  );
}

export async function restoreCosmos(input: WindowedRestoreInput): Promise<WindowedRestoreResult> {
  const context = { kind: 'cosmos-sql' as const, nowMs: Date.now(), continuedAsNew: continuedAsNew() };
  rejectInvalidInput('restoreCosmos', documentRestoreProblems(input, context));
  return runWindowedRestore('cosmos-sql', input, (carry) => continueAsNew<typeof restoreCosmos>({ ...input, carry }));
}
