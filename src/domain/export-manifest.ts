// What the catalog records of a windowed export (Cosmos DB, Mongo): per window its bounds, document count,
// digests and object; per committed run a manifest, written last. Pure types and rules: which runs and
// windows a restore "as of" a time reads.

/** Bytes and SHA-256 (lowercase hex) of a stream. */
export interface ExportDigest {
  bytes: number;
  sha256: string;
}

/** The kinds of document source a windowed export reads. */
export const DOCUMENT_KINDS = ['cosmos-sql', 'mongo'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** export: windows into the backup account; full: every document, one object; replica: into a live target. */
export const EXPORT_MODES = ['export', 'full', 'replica'] as const;
export type ExportMode = (typeof EXPORT_MODES)[number];

/** What a start may ask for: a mode, or `adf` (an export whose windows a Data Factory run moves; cataloged as `export`). */
export const EXPORT_INPUT_MODES = [...EXPORT_MODES, 'adf'] as const;
export type ExportInputMode = (typeof EXPORT_INPUT_MODES)[number];

export const COMPRESSIONS = ['gzip', 'none'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export interface WindowRecord {
  index: number;
  /** [fromMs, toMs): the documents written then (a full export: everything up to toMs, and a little after). */
  fromMs: number;
  toMs: number;
  documents: number;
  /** The NDJSON as exported, and what was stored (after compression and encryption). */
  plain: ExportDigest;
  stored?: ExportDigest;
  /** The object in the backup container (absent in replica mode). */
  object?: string;
  /** The filter chain, in order (catalog descriptions: gzip level, AES-256-GCM key id and format). */
  filters: unknown[];
  /**
   * The pass for documents no window can see (Mongo `_id`s that are not ObjectIds): every such document,
   * each run; restored after the windows of its run, whatever the time asked for.
   */
  outside?: boolean;
  /**
   * A window whose query also read the documents no window can see (`$or`, one scan instead of two): how
   * many of its documents those are. They are restored with it whatever the time asked for (they have none).
   */
  outsideDocuments?: number;
  /** With `outside` or `outsideDocuments`: a few of their keys, for the report. */
  sample?: string[];
}

export const EXPORT_MANIFEST_FORMAT = 1;

export interface ExportManifest {
  format: typeof EXPORT_MANIFEST_FORMAT;
  kind: DocumentKind;
  runKey: string;
  workflowId: string;
  mode: ExportMode;
  source: { connection: string; account: string; database: string; container: string; partitionKeyPath?: string };
  target?: { connection: string; account: string; database: string; container: string };
  fromMs: number;
  toMs: number;
  windowSeconds: number;
  windows: number;
  documents: number;
  plainBytes: number;
  storedBytes: number;
  compression: Compression;
  /** The key's name (its id in every encrypted object); never the key. */
  encryptionKey?: string;
  startedAt: string;
  finishedAt: string;
}

/** Where the next incremental export starts: the end of the newest committed export or full run. */
export function lastCompletedEndMs(manifests: readonly ExportManifest[]): number | undefined {
  const ends = manifests.filter((m) => m.mode !== 'replica').map((m) => m.toMs);
  return ends.length ? Math.max(...ends) : undefined;
}

/** One run a restore reads: all its windows, or those starting before `asOfMs`. */
export interface RestoreRun {
  runKey: string;
  full: boolean;
  windows: number;
}

/**
 * What a restore as of `asOfMs` reads, in order: the newest full export ending at or before it (if any),
 * then every window of later runs that starts before it. Windows of one run are read in index order, runs
 * oldest first, so a later version of a document is written after an earlier one.
 */
export function restoreRuns(manifests: readonly ExportManifest[], asOfMs: number): RestoreRun[] {
  const usable = manifests
    .filter((m) => m.mode !== 'replica' && m.fromMs < asOfMs)
    .sort((a, b) => a.toMs - b.toMs || (a.runKey < b.runKey ? -1 : 1));
  const full = usable.filter((m) => m.mode === 'full' && m.toMs <= asOfMs).at(-1);
  const after = full
    ? usable.filter((m) => m.mode === 'export' && m.toMs > full.toMs)
    : usable.filter((m) => m.mode === 'export');
  return [
    ...(full ? [{ runKey: full.runKey, full: true, windows: full.windows }] : []),
    ...after.map((m) => ({ runKey: m.runKey, full: false, windows: m.windows })),
  ];
}
