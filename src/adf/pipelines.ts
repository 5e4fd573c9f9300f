// The pipelines azbackup deploys to a Data Factory (JSON in adf/pipeline/), by name, with the parameters
// each takes. Pure: workflows may import it to build a run's input. Parameters marked optional have a
// default set by `azbackup adf deploy` (the accounts the factory was deployed for).

export const ADF_PIPELINES = {
  copyBlobs: 'azbackup-copy-blobs',
  copyPrefix: 'azbackup-copy-prefix',
  cosmosWindow: 'azbackup-cosmos-window',
  mongoWindow: 'azbackup-mongo-window',
} as const;
export type AdfPipelineName = (typeof ADF_PIPELINES)[keyof typeof ADF_PIPELINES];

/** The pipeline that exports one window of a document source. */
export function windowPipeline(kind: 'cosmos-sql' | 'mongo'): AdfPipelineName {
  return kind === 'mongo' ? ADF_PIPELINES.mongoWindow : ADF_PIPELINES.cosmosWindow;
}

/** Most entries one copy-blobs list may hold: the Lookup activity that reads it returns at most 5,000 rows. */
export const MAX_COPY_LIST_ENTRIES = 5000;

/** One entry of a copy-blobs list (a JSON array in the backup account). */
export interface CopyListEntry {
  /** `<container>/<blob>` in the source account. A `?snapshot=` suffix fails the run: ADF cannot read snapshots. */
  source: string;
  /** `<container>/<name>` in the backup account, e.g. the copy name `backupObjectName` gives. */
  target: string;
}

interface Accounts {
  /** Blob service endpoint of the source account; default: the one deployed. */
  sourceEndpoint?: string;
  /** Blob service endpoint of the backup account; default: the one deployed. */
  backupEndpoint?: string;
}

export interface CopyBlobsParameters extends Accounts {
  /** `<container>/<blob>` of the list (CopyListEntry[] as JSON) in the backup account. */
  listPath: string;
  /** `<container>/<folder>` in the backup account for ADF's copy log (skipped files). */
  logPath: string;
}

export interface CopyPrefixParameters extends Accounts {
  sourceContainer: string;
  /** Blob name prefix; '' copies the whole container. */
  prefix: string;
  backupContainer: string;
  /** Folder in backupContainer ('' for its root); a blob keeps the part of its name after the prefix's last '/'. */
  targetFolder: string;
  logPath: string;
}

export interface CosmosWindowParameters {
  database: string;
  container: string;
  /** `_ts >= fromTs`, seconds (cosmosTsBounds). */
  fromTs: number;
  /** `_ts < toTs`, seconds. */
  toTs: number;
  /** `<container>/<blob>` of the NDJSON object in the backup account. */
  objectPath: string;
  cosmosEndpoint?: string;
  backupEndpoint?: string;
}

export interface MongoWindowParameters {
  database: string;
  collection: string;
  /** The `_id` range as Extended JSON text: mongoWindowFilterJson. */
  filter: string;
  objectPath: string;
  /** Name of the Key Vault secret holding the connection string; default: the one deployed. */
  connectionStringSecret?: string;
  backupEndpoint?: string;
}
