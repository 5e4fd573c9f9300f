// Where everything azbackup writes in the backup container lives: the only module that spells a path.
// One catalog scope per (account, container, prefix); each committed run has a manifest (written last)
// and per-page chunks holding the scope's full state; copies live under `data/`, collections under `gc/`.

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

/** The account and container a `catalogScope` names (undefined for anything else). */
export function catalogScopeSource(scope: string): { account: string; container: string } | undefined {
  const m = /^catalog\/([^/]+)\/([^/]+)\/(?:all|prefix-[0-9a-f]{16})$/.exec(scope);
  return m ? { account: m[1]!, container: m[2]! } : undefined;
}

/**
 * Sortable by time: `20261124T121500123Z-<8 hex chars of the workflow's first run id>`. The run id's last
 * characters: Temporal's run ids are UUIDv7, whose first ones are a timestamp (two runs started in the same
 * millisecond would share them), its last ones random.
 */
export function runKey(startedAt: number, firstRunId: string): string {
  return `${new Date(startedAt).toISOString().replace(/[-:.]/g, '')}-${firstRunId.replace(/-/g, '').slice(-8)}`;
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

/** A scope folder (`…/all` or `…/prefix-<hash>`), as opposed to other folders under a container's catalog. */
export function isCatalogScope(prefix: string): boolean {
  return /\/(all|prefix-[0-9a-f]{16})$/.test(prefix);
}

const run = (scope: string, key: string) => `${scope}/runs/${key}/`;
const restore = (scope: string, key: string) => `${scope}/restores/${key}/`;
const retention = (scope: string, key: string) => `${scope}/retention/${key}/`;

export const catalogPaths = {
  manifestsPrefix: (scope: string) => `${scope}/manifests/`,
  manifest: (scope: string, key: string) => `${scope}/manifests/${key}.json`,
  runsPrefix: (scope: string) => `${scope}/runs/`,
  runPrefix: run,
  /** The run's catalog chunks: one per page, each the full state of the page's name range. */
  pagesPrefix: (scope: string, key: string) => `${run(scope, key)}pages/`,
  page: (scope: string, key: string, index: number) => `${run(scope, key)}pages/${pad(index)}.ndjson.gz`,
  /** Staged listing pages, read by the pages' children; removed at commit. */
  inventoryPrefix: (scope: string, key: string) => `${run(scope, key)}inventory/`,
  inventory: (scope: string, key: string, index: number) => `${run(scope, key)}inventory/${pad(index)}.ndjson.gz`,
  /** Staged with the inventory: the run is in progress (and which run it is classified against). */
  runStarted: (scope: string, key: string) => `${run(scope, key)}inventory/started`,
  /** Page journals: items finished so far, so a retried page resumes; removed at commit. */
  journalsPrefix: (scope: string, key: string) => `${run(scope, key)}progress/`,
  journal: (scope: string, key: string, index: number) => `${run(scope, key)}progress/${index}.ndjson`,
  /** Copies a page declares before it writes them (garbage collection keeps them); removed at commit. */
  intentsPrefix: (scope: string, key: string) => `${run(scope, key)}intents/`,
  intents: (scope: string, key: string, index: number) => `${run(scope, key)}intents/${index}.txt`,
  /** Pages moved by Data Factory: the copy list it reads, the plan the worker verifies, ADF's copy log. */
  adfPrefix: (scope: string, key: string) => `${run(scope, key)}adf/`,
  adfList: (scope: string, key: string, index: number) => `${run(scope, key)}adf/${pad(index)}/list.json`,
  adfPlan: (scope: string, key: string, index: number) => `${run(scope, key)}adf/${pad(index)}/plan.ndjson.gz`,
  adfLog: (scope: string, key: string, index: number) => `${run(scope, key)}adf/${pad(index)}/log`,
  pageReportsPrefix: (scope: string, key: string) => `${run(scope, key)}reports/`,
  pageReport: (scope: string, key: string, index: number) => `${run(scope, key)}reports/${pad(index)}.ndjson.gz`,
  /** The run's skipped and failed items, merged from the page reports at commit. */
  report: (scope: string, key: string) => `${run(scope, key)}report.ndjson.gz`,
  /** A restore drill's comparison of the run's sample. */
  drillReport: (scope: string, key: string, drillKey: string) => `${run(scope, key)}drills/${drillKey}.ndjson.gz`,

  restorePrefix: restore,
  restoreJournalsPrefix: (scope: string, key: string) => `${restore(scope, key)}progress/`,
  restoreReportsPrefix: (scope: string, key: string) => `${restore(scope, key)}reports/`,
  restoreJournal: (scope: string, key: string, index: number) => `${restore(scope, key)}progress/${index}.ndjson`,
  restorePageReport: (scope: string, key: string, index: number) =>
    `${restore(scope, key)}reports/${pad(index)}.ndjson.gz`,
  restoreReport: (scope: string, key: string) => `${restore(scope, key)}report.ndjson.gz`,
  restoreSummary: (scope: string, key: string) => `${restore(scope, key)}summary.json`,

  /** A scrub: every copy of a run read back and hashed against the catalog. */
  scrubPrefix: (scope: string, key: string) => `${scope}/scrubs/${key}/`,
  scrubPageReport: (scope: string, key: string, index: number) =>
    `${scope}/scrubs/${key}/reports/${pad(index)}.ndjson.gz`,
  scrubReport: (scope: string, key: string) => `${scope}/scrubs/${key}/report.ndjson.gz`,

  retentionPrefix: retention,
  retentionPlan: (scope: string, key: string) => `${retention(scope, key)}plan.json`,
  sourceSnapshotsReport: (scope: string, key: string) => `${retention(scope, key)}source-snapshots.ndjson.gz`,
  /** Source snapshots recorded by forgotten runs: still azbackup's to prune. */
  snapshotLedgerPrefix: (scope: string) => `${scope}/snapshot-ledger/`,
  snapshotLedger: (scope: string, key: string) => `${scope}/snapshot-ledger/${key}.ndjson.gz`,
};

/** A run's staging folders, listed together and removed once its manifest is written. */
export function runStaging(scope: string, key: string) {
  return {
    within: run(scope, key),
    folders: {
      inventory: catalogPaths.inventoryPrefix(scope, key),
      journals: catalogPaths.journalsPrefix(scope, key),
      intents: catalogPaths.intentsPrefix(scope, key),
      reports: catalogPaths.pageReportsPrefix(scope, key),
      adf: catalogPaths.adfPrefix(scope, key),
    },
  };
}

/** A restore's staging folders, removed once its report and summary are written. */
export function restoreStaging(scope: string, key: string) {
  return {
    within: restore(scope, key),
    folders: {
      journals: catalogPaths.restoreJournalsPrefix(scope, key),
      reports: catalogPaths.restoreReportsPrefix(scope, key),
    },
  };
}

/** A scrub's staging: the page reports, merged into one report at the end. */
export function scrubStaging(scope: string, key: string) {
  return {
    within: catalogPaths.scrubPrefix(scope, key),
    folders: { reports: `${catalogPaths.scrubPrefix(scope, key)}reports/` },
  };
}

/**
 * Where a windowed export of a document container keeps its catalog: one scope per (kind, account,
 * database, container); runs have a manifest (written last) and a record per window.
 */
export function exportScope(kind: string, account: string, database: string, container: string): string {
  return `catalog/${kind}/${account}/${database}/${container}`;
}

/** The kind, account, database and container an `exportScope` names (undefined for anything else). */
export function exportScopeSource(
  scope: string,
): { kind: string; account: string; database: string; container: string } | undefined {
  const m = /^catalog\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(scope);
  return m ? { kind: m[1]!, account: m[2]!, database: m[3]!, container: m[4]! } : undefined;
}

export const exportPaths = {
  manifestsPrefix: (scope: string) => `${scope}/manifests/`,
  manifest: (scope: string, key: string) => `${scope}/manifests/${key}.json`,
  runPrefix: (scope: string, key: string) => `${scope}/runs/${key}/`,
  windowsPrefix: (scope: string, key: string) => `${scope}/runs/${key}/windows/`,
  window: (scope: string, key: string, index: number) => `${scope}/runs/${key}/windows/${pad(index)}.json`,
  /** A window's exported documents; `ext` says what the chain made of them (.ndjson.gz.enc). */
  object: (scope: string, key: string, index: number, ext: string) =>
    `exports/${scope.slice('catalog/'.length)}/${key}/${pad(index)}${ext}`,
  /** What a Data Factory run wrote for a window (plain NDJSON), adopted into the window's object and then removed. */
  adfStaging: (scope: string, key: string, index: number) => `${scope}/runs/${key}/adf/${pad(index)}.ndjson`,
  restorePrefix: (scope: string, key: string) => `${scope}/restores/${key}/`,
  restoreSummary: (scope: string, key: string) => `${scope}/restores/${key}/summary.json`,
};

/** One garbage collection's files, beside (not inside) the catalog: `gc/<account>/<container>/<key>/`. */
export const gcPaths = {
  prefix: (account: string, container: string, key: string) => `gc/${account}/${container}/${key}/`,
  /** Written first: its Last-Modified is the mark's time, on the service's clock. */
  mark: (account: string, container: string, key: string) => `gc/${account}/${container}/${key}/mark`,
  candidates: (account: string, container: string, key: string) =>
    `gc/${account}/${container}/${key}/candidates.ndjson.gz`,
  report: (account: string, container: string, key: string, dryRun: boolean) =>
    `gc/${account}/${container}/${key}/${dryRun ? 'would-delete' : 'deleted'}.ndjson.gz`,
};

function pad(index: number): string {
  return String(index).padStart(7, '0');
}

/**
 * A backup pipeline's store (a `blob` or `file` sink): each named pipeline's catalog (one manifest per
 * committed run, written after its object) and its objects, named by run key and attempt.
 */
export const pipelinePaths = {
  manifestsPrefix: (name: string) => `catalog/pipeline/${name}/manifests/`,
  manifest: (name: string, key: string) => `catalog/pipeline/${name}/manifests/${key}.json`,
  objectsPrefix: (name: string) => `pipelines/${name}/`,
  object: (name: string, key: string, attempt: number, ext: string) => `pipelines/${name}/${key}-a${attempt}${ext}`,
};
