// backupCosmosContainer and restoreCosmos: Cosmos DB (NoSQL API) exported incrementally in `_ts` windows
// (export), as one full export (full), or upserted into another container (replica); restored as of a
// time. The fields are Cosmos DB's names; the body is shared with the Mongo API (windowed-backup.ts).
import { continueAsNew, workflowInfo } from '@temporalio/workflow';
import { documentNameProblem, windowedBackupProblems, windowedRestoreProblems } from '../domain/export-input';
import type { Compression, ExportMode } from '../domain/export-manifest';
import {
  connectionNameProblem,
  fieldsOf,
  inputObject,
  objectProblem,
  problemCollector,
} from '../domain/input-problems';
import {
  runWindowedBackup,
  type DocumentAddress,
  type WindowedBackupResult,
  type WindowedCarry,
} from './windowed-backup';
import { runWindowedRestore, type WindowedRestoreInput, type WindowedRestoreResult } from './windowed-restore';
import { rejectInvalidInput } from './workflow-rules';

export interface BackupCosmosContainerInput {
  /** Connection name of the Cosmos DB account (a `cosmos` connection in the worker's config). */
  cosmos: string;
  database: string;
  container: string;
  /** export (default): `_ts` windows since the last run; full: every document; replica: into `target`. */
  mode?: ExportMode;
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
  const continuedAsNew = workflowInfo().continuedFromExecutionRunId !== undefined;
  const { fields, problems } = inputObject(input);
  const { problems: own, check } = problemCollector();
  if (!problems.length) {
    check('cosmos', fields.cosmos, connectionNameProblem(fields.cosmos));
    check('database', fields.database, documentNameProblem('cosmos-sql', 'database', fields.database));
    check('container', fields.container, documentNameProblem('cosmos-sql', 'container', fields.container));
    own.push(...windowedBackupProblems(fields, { kind: 'cosmos-sql', nowMs: Date.now(), continuedAsNew }));
  }
  rejectInvalidInput('backupCosmosContainer', [...problems, ...own]);
  const { cosmos, database, container, ...rest } = input;
  return runWindowedBackup('cosmos-sql', { ...rest, source: { connection: cosmos, database, container } }, (carry) =>
    continueAsNew<typeof backupCosmosContainer>({ ...input, carry }),
  );
}

export async function restoreCosmos(input: WindowedRestoreInput): Promise<WindowedRestoreResult> {
  const continuedAsNew = workflowInfo().continuedFromExecutionRunId !== undefined;
  const { fields, problems } = inputObject(input);
  const { problems: own, check } = problemCollector();
  if (!problems.length) {
    const source = fieldsOf(fields.source);
    check('source', fields.source, objectProblem(fields.source, true));
    check(
      'source.account',
      source.account,
      typeof source.account === 'string' && source.account ? undefined : 'is required',
    );
    check('source.database', source.database, documentNameProblem('cosmos-sql', 'database', source.database));
    check('source.container', source.container, documentNameProblem('cosmos-sql', 'container', source.container));
    own.push(...windowedRestoreProblems(fields, { kind: 'cosmos-sql', nowMs: Date.now(), continuedAsNew }));
  }
  rejectInvalidInput('restoreCosmos', [...problems, ...own]);
  return runWindowedRestore('cosmos-sql', input, (carry) => continueAsNew<typeof restoreCosmos>({ ...input, carry }));
}
