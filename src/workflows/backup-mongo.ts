// backupMongoCollection and restoreMongo: Cosmos DB for MongoDB (any MongoDB wire endpoint) exported in
// ObjectId windows: the documents created between two times are those whose `_id` lies between the
// ObjectIds of those times. Documents whose `_id` is not an ObjectId are exported by a pass of their own
// each run, never silently dropped. The body is shared with Cosmos DB's NoSQL API (windowed-backup.ts).
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

export interface BackupMongoCollectionInput {
  /** Connection name of the MongoDB endpoint (a `mongo` connection in the worker's config). */
  mongo: string;
  database: string;
  collection: string;
  /**
   * export (default): ObjectId windows since the last run; full: every document; replica: into `target`;
   * adf: an export whose windows a Data Factory run moves (azbackup-mongo-window), then the worker
   * compresses, encrypts, hashes and catalogs them exactly like its own export.
   */
  mode?: ExportInputMode;
  /** Mode adf: the `adf` connection of the factory the pipelines were deployed to. */
  adf?: string;
  /** Tuning: how often a Data Factory run is polled (default 15 s). */
  adfPollEveryMs?: number;
  backup?: string;
  backupContainer?: string;
  /** Replica mode: the collection the documents are upserted into (`container` is its name). */
  target?: DocumentAddress;
  /** ISO times bounding the export by creation time (ObjectId time) [from, to). */
  from?: string;
  to?: string;
  windowSeconds?: number;
  settleSeconds?: number;
  compression?: Compression;
  gzipLevel?: number;
  /** The name of a key in the worker's config (never the key). */
  encryptionKey?: string;
  maxConcurrentWindows?: number;
  maxWindowsPerRun?: number;
  carry?: WindowedCarry;
}

export async function backupMongoCollection(input: BackupMongoCollectionInput): Promise<WindowedBackupResult> {
  const context = { kind: 'mongo' as const, nowMs: Date.now(), continuedAsNew: continuedAsNew() };
  const names = { connection: 'mongo', container: 'collection' };
  rejectInvalidInput('backupMongoCollection', documentBackupProblems(input, names, context));
  const { mongo, database, collection, ...rest } = input;
  return runWindowedBackup(
    'mongo',
    { ...rest, source: { connection: mongo, database, container: collection } },
    (carry) => continueAsNew<typeof backupMongoCollection>({ ...input, carry }),
  );
}

/** `source.container` and `target.container` name collections. */
export async function restoreMongo(input: WindowedRestoreInput): Promise<WindowedRestoreResult> {
  const context = { kind: 'mongo' as const, nowMs: Date.now(), continuedAsNew: continuedAsNew() };
  rejectInvalidInput('restoreMongo', documentRestoreProblems(input, context));
  return runWindowedRestore('mongo', input, (carry) => continueAsNew<typeof restoreMongo>({ ...input, carry }));
}
