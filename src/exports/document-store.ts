// The one interface where document sources differ: what a time window holds, how it is read, how
// documents are written back. Cosmos DB (NoSQL API) and Cosmos DB for MongoDB implement it; the export,
// restore and replica code above it is shared, and one contract test table runs against every store.

/** A document as the store's export format represents it: a JSON object (Mongo: canonical Extended JSON). */
export type ExportedDocument = Record<string, unknown>;

export interface ReadOptions {
  abortSignal?: AbortSignal;
}

/** What a restore needs to create a container like the source's (Cosmos: its partition key path). */
export interface ContainerShape {
  partitionKeyPath?: string;
}

export interface WriteOptions {
  abortSignal?: AbortSignal;
  /** After each batch written, with the count so far. */
  onProgress?: (written: number) => void;
}

export interface DocumentStore {
  /** The kind of source, as the catalog records it. */
  readonly kind: 'cosmos-sql' | 'mongo';
  /** Account (from the endpoint), database and container (Mongo: collection), as the catalog names them. */
  readonly location: { account: string; database: string; container: string };

  /** Whether the database and container exist (a typo is refused before anything is written). */
  exists(options?: ReadOptions): Promise<boolean>;
  /** Creates the container (and database) when missing, shaped like `shape`: restore into a new one. */
  ensure(options?: ReadOptions & { shape?: ContainerShape }): Promise<void>;
  /** The source's shape, recorded in the catalog for a restore into a new container (none by default). */
  shape?(options?: ReadOptions): Promise<ContainerShape>;
  /** The time (ms) the oldest document was written: where a first export starts. Undefined when empty. */
  oldestTimeMs(options?: ReadOptions): Promise<number | undefined>;
  /**
   * The documents written in [fromMs, toMs), each once, in a stable order; with `includeOutside`, also those
   * `readOutsideWindows` yields, in the same query (a store without them ignores it).
   */
  readWindow(
    window: { fromMs: number; toMs: number },
    options?: ReadOptions & { includeOutside?: boolean },
  ): AsyncIterable<ExportedDocument>;
  /** Every document: a full export. */
  readAll(options?: ReadOptions): AsyncIterable<ExportedDocument>;
  /** Documents a window export cannot see (e.g. Mongo `_id`s that are not ObjectIds); none by default. */
  readOutsideWindows?(options?: ReadOptions): AsyncIterable<ExportedDocument>;
  /** When a document was written (ms), as windows see it: a restore "as of" skips later ones. */
  timeOf(document: ExportedDocument): number | undefined;
  /** A document's identity (id, with its partition key where the store has one). */
  keyOf(document: ExportedDocument): string;
  /** Writes documents, replacing any with the same identity: idempotent, so a retry is safe. */
  upsert(documents: AsyncIterable<ExportedDocument>, options?: WriteOptions): Promise<number>;
  /** Every document's identity (a full restore removes those absent from the export). */
  keys(options?: ReadOptions): AsyncIterable<string>;
  /** Deletes documents by identity; a missing one is no error. */
  delete(keys: readonly string[], options?: WriteOptions): Promise<number>;
}
