// What azbackup counts, and from what: the input and result of an activity, as the worker's activity
// interceptor (interceptor.ts) hands them over once the activity has succeeded, so no activity knows
// it is measured. One row per measured activity in OBSERVERS; the others are counted by the Temporal
// runtime's own metrics (executions, failures, latencies), which the same endpoint serves.
//
// `source` is `<account>/<container>` for blobs and `<account>/<database>/<container>` for Cosmos DB
// (the account as the catalog records it, never a connection name). The recovery point of a source is
// the newest point in time a verified run seen by this worker can restore: a blob run's start (its
// listing), an export's `to`. It lives in this process only: after a restart it is absent until the
// next commit (docs/alerts.md has rules that carry it across restarts and across several workers).
import type {
  BackupPageInput,
  CommitRunInput,
  CommitRunResult,
  ExportWindowInput,
  RestorePageInput,
} from '../activities';
import type { CommitExportInput } from '../activities/exports';
import type { BackupCounts } from '../domain/backup-counts';
import { catalogScopeSource, exportScopeSource } from '../domain/catalog-layout';
import type { WindowRecord } from '../domain/export-manifest';
import type { RestoreCounts } from '../domain/restore-counts';
import { Registry, type Labels, type Sample } from './registry';

const BACKUP_OUTCOMES = [
  ['copied', 'bytesCopied'],
  ['skipped', 'bytesSkipped'],
  ['failed', 'bytesFailed'],
] as const;
const RESTORE_OUTCOMES = ['restored', 'skipped', 'failed'] as const;
const RUN_OUTCOMES = ['verified', 'unverified'] as const;

export class AzbackupMetrics {
  readonly registry = new Registry();
  readonly backupItems = this.registry.counter(
    'azbackup_backup_items_total',
    'Blobs a backup page copied, skipped (identical copy found, leased, changed, archived) or failed, by source.',
  );
  readonly backupBytes = this.registry.counter(
    'azbackup_backup_bytes_total',
    'Source bytes of the blobs a backup page copied, skipped or failed, by source.',
  );
  readonly verifyFailures = this.registry.counter(
    'azbackup_backup_verify_failures_total',
    'Blobs whose copy failed verification (size or MD5 mismatch), by source; also counted as failed items.',
  );
  readonly runsCommitted = this.registry.counter(
    'azbackup_runs_committed_total',
    'Backup runs committed (manifest written), by source, kind and outcome (verified or unverified).',
  );
  readonly exportDocuments = this.registry.counter(
    'azbackup_export_documents_total',
    'Documents exported into the backup account, by source.',
  );
  readonly exportBytes = this.registry.counter(
    'azbackup_export_bytes_total',
    'Bytes exported, by source: form="plain" is the NDJSON, form="stored" what was written after compression and encryption.',
  );
  readonly restoreItems = this.registry.counter(
    'azbackup_restore_items_total',
    'Blobs a restore page restored, skipped or failed (dry runs excluded), by backed-up source.',
  );
  readonly restoreBytes = this.registry.counter(
    'azbackup_restore_bytes_total',
    'Bytes restored (dry runs excluded), by backed-up source.',
  );
  /** Newest recovery point per source (and prefix), in ms. */
  private readonly recoveryPoints = new Map<string, { labels: Labels; atMs: number }>();
  /** Whether the Temporal runtime's exporter answered the scrape being served (unset: not configured). */
  runtimeUp: boolean | undefined;

  constructor() {
    const points = () => [...this.recoveryPoints.values()];
    this.registry.gauge(
      'azbackup_last_verified_backup_timestamp_seconds',
      'Recovery point per source: the newest point in time a verified run seen by this worker restores (Unix seconds).',
      () => points().map(({ labels, atMs }) => ({ labels, value: atMs / 1000 })),
    );
    this.registry.gauge(
      'azbackup_seconds_since_last_verified_backup',
      'Age of the recovery point per source at scrape time: seconds since the point in time the newest verified run restores.',
      (nowMs) => points().map(({ labels, atMs }) => ({ labels, value: Math.max(0, (nowMs - atMs) / 1000) })),
    );
    this.registry.gauge(
      'azbackup_runtime_metrics_up',
      "1 when the Temporal runtime's own metrics exporter answered this scrape (its metrics follow), else 0.",
      (): Sample[] => (this.runtimeUp === undefined ? [] : [{ labels: {}, value: this.runtimeUp ? 1 : 0 }]),
    );
  }

  /** Records what a finished activity did; false when this activity type is not measured. */
  observe(activityType: string, input: unknown, result: unknown): boolean {
    const row = OBSERVERS[activityType];
    if (!row) return false;
    row(this, input, result);
    return true;
  }

  /** Keeps the newest recovery point of a source. */
  recoveryPoint(labels: Labels, atMs: number): void {
    if (!Number.isFinite(atMs)) return;
    const key = JSON.stringify(labels);
    const known = this.recoveryPoints.get(key);
    if (!known || known.atMs < atMs) this.recoveryPoints.set(key, { labels, atMs });
  }

  /** A committed run: counted by outcome (both series exist once a source has committed). */
  committed(labels: Labels, kind: string, verified: boolean): void {
    for (const outcome of RUN_OUTCOMES)
      this.runsCommitted.inc({ ...labels, kind, outcome }, outcome === (verified ? 'verified' : 'unverified') ? 1 : 0);
  }
}

type Observer = (m: AzbackupMetrics, input: unknown, result: unknown) => void;

/** Types one row of the table: the activity's input and result types, checked where the row is written. */
function observer<I, R>(fn: (m: AzbackupMetrics, input: I, result: R) => void): Observer {
  return fn as Observer;
}

/** `prefix` only for a prefix backup: its recovery point is not the whole container's. */
function blobRunLabels(account: string, container: string, prefix: string | undefined): Labels {
  return prefix ? { source: `${account}/${container}`, prefix } : { source: `${account}/${container}` };
}

const OBSERVERS: Record<string, Observer> = {
  backupPage: observer((m, input: BackupPageInput, counts: BackupCounts) => {
    const where = catalogScopeSource(input.scope);
    if (!where) return;
    const source = `${where.account}/${where.container}`;
    for (const [outcome, bytes] of BACKUP_OUTCOMES) {
      m.backupItems.inc({ source, outcome }, counts[outcome] ?? 0);
      m.backupBytes.inc({ source, outcome }, counts[bytes] ?? 0);
    }
    // Counts from a worker that did not count verification failures yet have no field.
    m.verifyFailures.inc({ source }, counts.verifyFailed ?? 0);
  }),

  commitRun: observer((m, input: CommitRunInput, result: CommitRunResult) => {
    const labels = blobRunLabels(input.source.account, input.source.container, input.source.prefix);
    m.committed(labels, 'blob', result.verified);
    if (result.verified) m.recoveryPoint(labels, Date.parse(input.startedAt));
  }),

  exportWindow: observer((m, input: ExportWindowInput, record: WindowRecord) => {
    const where = exportScopeSource(input.scope);
    if (!where) return;
    const source = `${where.account}/${where.database}/${where.container}`;
    m.exportDocuments.inc({ source }, record.documents);
    m.exportBytes.inc({ source, form: 'plain' }, record.plain.bytes);
    m.exportBytes.inc({ source, form: 'stored' }, record.stored?.bytes ?? 0);
  }),

  // An export commits only complete (every window's record, with its digests, is there): it is verified.
  // A replica is counted as a run, but restores do not read replicas: it is no recovery point.
  commitExport: observer((m, input: CommitExportInput) => {
    const labels = { source: `${input.source.account}/${input.source.database}/${input.source.container}` };
    m.committed(labels, input.kind, true);
    if (input.mode !== 'replica') m.recoveryPoint(labels, input.toMs);
  }),

  restorePage: observer((m, input: RestorePageInput, counts: RestoreCounts) => {
    if (input.dryRun) return;
    const source = `${input.source.account}/${input.source.container}`;
    for (const outcome of RESTORE_OUTCOMES) m.restoreItems.inc({ source, outcome }, counts[outcome]);
    m.restoreBytes.inc({ source }, counts.bytesRestored);
  }),
};
