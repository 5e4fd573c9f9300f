// Where the catalog lives in the backup container. One scope per (account, container, prefix); each
// committed run has a manifest (written last) and per-page chunks holding the scope's full state.

/** 64-bit FNV-1a as hex: a short, stable, dependency-free name for a prefix (no crypto in workflows). */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

export function catalogScope(account: string, container: string, prefix?: string): string {
  return `catalog/${account}/${container}/${prefix ? `prefix-${fnv1a64(prefix)}` : 'all'}`;
}

/** Sortable by time: `20261124T121500123Z-<8 chars of the workflow's first run id>`. */
export function runKey(startedAt: number, firstRunId: string): string {
  return `${new Date(startedAt).toISOString().replace(/[-:.]/g, '')}-${firstRunId.replace(/-/g, '').slice(0, 8)}`;
}

export function runKeyTime(key: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(key);
  if (!m) throw new Error(`not a run key: ${key}`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
}

/** Every scope of one source container (a whole-container scope and any prefix scopes). */
export function containerCatalogPrefix(account: string, container: string): string {
  return `catalog/${account}/${container}/`;
}

/** Where the copies of one source container's blobs live (shared by all its scopes). */
export function containerDataPrefix(account: string, container: string): string {
  return `data/${account}/${container}/`;
}

export const catalogPaths = {
  manifestsPrefix: (scope: string) => `${scope}/manifests/`,
  manifest: (scope: string, run: string) => `${scope}/manifests/${run}.json`,
  runPrefix: (scope: string, run: string) => `${scope}/runs/${run}/`,
  pagesPrefix: (scope: string, run: string) => `${scope}/runs/${run}/pages/`,
  page: (scope: string, run: string, index: number) => `${scope}/runs/${run}/pages/${pad(index)}.ndjson.gz`,
  inventory: (scope: string, run: string, index: number) => `${scope}/runs/${run}/inventory/${pad(index)}.ndjson.gz`,
  pageReport: (scope: string, run: string, index: number) => `${scope}/runs/${run}/reports/${pad(index)}.ndjson.gz`,
  report: (scope: string, run: string) => `${scope}/runs/${run}/report.ndjson.gz`,
  runsPrefix: (scope: string) => `${scope}/runs/`,
  restorePrefix: (scope: string, key: string) => `${scope}/restores/${key}/`,
  retentionPrefix: (scope: string, key: string) => `${scope}/retention/${key}/`,
  /** Source snapshots recorded by forgotten runs: still azbackup's to prune. */
  snapshotLedgerPrefix: (scope: string) => `${scope}/snapshot-ledger/`,
  snapshotLedger: (scope: string, key: string) => `${scope}/snapshot-ledger/${key}.ndjson.gz`,
};

function pad(index: number): string {
  return String(index).padStart(7, '0');
}
