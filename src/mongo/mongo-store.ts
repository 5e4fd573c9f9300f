// A Cosmos DB for MongoDB collection (or any Mongo wire server) as a DocumentStore: a time window is an
// `_id` range of ObjectIds (src/domain/objectid-windows.ts, the same bounds the ADF path sends), read with a
// cursor in `_id` order; documents leave and come back as canonical Extended JSON, read with the driver's
// type promotion off, so Int32 vs Double vs Long, Decimal128, Binary subtypes and Dates survive NDJSON.
// What windows cannot see: `_id`s that are not ObjectIds sort outside every ObjectId range (BSON compares
// by type first), so `readOutsideWindows` yields them for a separate pass. Writes are unordered bulk
// `replaceOne … upsert` batches: idempotent, so a retried batch or activity is safe. Cosmos DB answers a
// request over its RU budget with error 16500 (FerretDB never does): only those operations are sent again.
import type { AnyBulkWriteOperation, Collection, Document, Filter, FindOptions, MongoClient } from 'mongodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { mongoSdk } from '../lib/lazy-sdk';
import { documentAccountName } from '../domain/account-url';
import { mongoWindowFilter, objectIdHexOf, objectIdWindow, timeOfObjectId } from '../domain/objectid-windows';
import type {
  ContainerShape,
  DocumentStore,
  ExportedDocument,
  ReadOptions,
  WriteOptions,
} from '../exports/document-store';
import { exportedIdKey, fromExtendedJson, idKey, idOfKey, READ_TYPES, toExtendedJson } from './extended-json';

/** Documents per cursor batch: bounded memory, few round trips. */
export const MONGO_READ_BATCH = 1000;
/** As the driver deserializes a document it reads: READ_TYPES, and strings checked for valid UTF-8. */
const DESERIALIZE = { ...READ_TYPES, validation: { utf8: true } } as const;
/**
 * Operations per bulkWrite. The dev stack's FerretDB 1.24 (SQLite) holds one of its 100 pooled connections
 * per update statement that matches a document until the whole command ends, so a command replacing more
 * than 100 existing documents never answers (a restore run twice would hang there); 100 is also the NoSQL
 * store's bulk size. Concurrent upserts into one FerretDB database share that pool too.
 */
export const MONGO_WRITE_BATCH = 100;
/** Ids per deleteMany (one statement with `$in`). */
export const MONGO_DELETE_BATCH = 500;
/** Cosmos DB for MongoDB: the request exceeded the provisioned throughput (HTTP 429 in the NoSQL API). */
const TOO_MANY_REQUESTS = 16500;
/** E11000: an insert of an `_id` the collection already holds. */
const DUPLICATE_KEY = 11000;
const MAX_THROTTLED_TRIES = 20;
const MAX_RETRY_AFTER_MS = 10_000;
/** Existing collection (a concurrent ensure won the race). */
const NAMESPACE_EXISTS = 48;

/** Any BSON value can be an `_id` (bar arrays): not only the ObjectId the driver's default type assumes. */
type StoredDocument = { _id: unknown } & Document;

const ID_IS_OBJECTID = { _id: { $type: 'objectId' } } as const;
const ID_IS_NOT_OBJECTID = { _id: { $not: { $type: 'objectId' } } };

export interface MongoStoreOptions {
  /** Operations per bulkWrite (default MONGO_WRITE_BATCH). */
  writeBatch?: number;
  /** Ids per deleteMany (default MONGO_DELETE_BATCH). */
  deleteBatch?: number;
  /** Documents per cursor batch (default MONGO_READ_BATCH). */
  readBatch?: number;
}

export class MongoStore implements DocumentStore {
  readonly kind = 'mongo' as const;
  readonly location: DocumentStore['location'];
  private readonly writeBatch: number;
  private readonly deleteBatch: number;
  private readonly readBatch: number;

  constructor(
    private readonly client: MongoClient,
    connectionString: string,
    private readonly database: string,
    private readonly collectionName: string,
    options: MongoStoreOptions = {},
  ) {
    this.location = { account: documentAccountName(connectionString), database, container: collectionName };
    this.writeBatch = options.writeBatch ?? MONGO_WRITE_BATCH;
    this.deleteBatch = options.deleteBatch ?? MONGO_DELETE_BATCH;
    this.readBatch = options.readBatch ?? MONGO_READ_BATCH;
  }

  private get collection(): Collection<StoredDocument> {
    return this.client.db(this.database).collection(this.collectionName);
  }

  async exists(options: ReadOptions = {}): Promise<boolean> {
    const found = await this.client
      .db(this.database)
      .listCollections({ name: this.collectionName }, { nameOnly: true, signal: options.abortSignal })
      .toArray();
    return found.length > 0;
  }

  /** Creates the collection when missing (the database comes with it); there is no shape to follow. */
  async ensure(options: ReadOptions & { shape?: ContainerShape } = {}): Promise<void> {
    if (await this.exists(options)) return;
    options.abortSignal?.throwIfAborted();
    try {
      await this.client.db(this.database).createCollection(this.collectionName);
    } catch (err) {
      if ((err as { code?: unknown }).code !== NAMESPACE_EXISTS) throw err;
    }
  }

  async oldestTimeMs(options: ReadOptions = {}): Promise<number | undefined> {
    const oldest = await this.collection.findOne(ID_IS_OBJECTID, {
      sort: { _id: 1 },
      projection: { _id: 1 },
      signal: options.abortSignal,
    });
    const hex = objectIdHexOf(oldest?._id);
    return hex === undefined ? undefined : timeOfObjectId(hex) * 1000;
  }

  /**
   * `_id` in [ObjectId(ceil(from s)), ObjectId(ceil(to s))): the bounds of objectIdWindow, as ADF gets them.
   * With `includeOutside`, `$or` the `_id`s that are no ObjectId: one query instead of two, which matters where
   * a query that is not an `_id` lookup scans the collection (FerretDB's SQLite backend; Cosmos DB for a
   * `$type` test it cannot index). They sort before and after every ObjectId (BSON orders by type first).
   */
  readWindow(
    window: { fromMs: number; toMs: number },
    options: ReadOptions & { includeOutside?: boolean } = {},
  ): AsyncIterable<ExportedDocument> {
    const inWindow = fromExtendedJson(mongoWindowFilter(objectIdWindow({ index: 0, ...window })));
    return this.find(options.includeOutside ? { $or: [inWindow, ID_IS_NOT_OBJECTID] } : inWindow, options);
  }

  readAll(options: ReadOptions = {}): AsyncIterable<ExportedDocument> {
    return this.find({}, options);
  }

  /** Documents whose `_id` is no ObjectId (a string, even of 24 hex digits, a number, a UUID…). */
  readOutsideWindows(options: ReadOptions = {}): AsyncIterable<ExportedDocument> {
    return this.find(ID_IS_NOT_OBJECTID, options);
  }

  timeOf(document: ExportedDocument): number | undefined {
    const hex = objectIdHexOf(document._id);
    return hex === undefined ? undefined : timeOfObjectId(hex) * 1000;
  }

  /** The `_id` as canonical Extended JSON text: `{"$oid":"…"}`, `"a"`, `{"$numberInt":"7"}`. */
  keyOf(document: ExportedDocument): string {
    if (document._id === undefined) throw new Error(`a document has no _id: ${preview(document)}`);
    return exportedIdKey(document._id);
  }

  async upsert(documents: AsyncIterable<ExportedDocument>, options: WriteOptions = {}): Promise<number> {
    let batch: StoredDocument[] = [];
    let written = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      options.abortSignal?.throwIfAborted();
      await this.insertOrReplace(batch, options.abortSignal);
      written += batch.length;
      batch = [];
      options.onProgress?.(written);
    };
    for await (const exported of documents) {
      const document = fromExtendedJson(exported);
      if (document._id === undefined) throw new Error(`a document to restore has no _id: ${preview(exported)}`);
      batch.push(document as StoredDocument);
      if (batch.length === this.writeBatch) await flush();
    }
    await flush();
    return written;
  }

  async *keys(options: ReadOptions = {}): AsyncIterable<string> {
    const cursor = this.collection.find(
      {},
      {
        ...READ_TYPES,
        projection: { _id: 1 },
        sort: { _id: 1 },
        batchSize: this.readBatch,
        signal: options.abortSignal,
      },
    );
    try {
      for await (const { _id } of cursor) yield idKey(_id);
    } finally {
      await cursor.close();
    }
  }

  async delete(keys: readonly string[], options: WriteOptions = {}): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < keys.length; i += this.deleteBatch) {
      options.abortSignal?.throwIfAborted();
      const filter: Filter<StoredDocument> = {
        _id: { $in: keys.slice(i, i + this.deleteBatch).map(idOfKey) as never[] },
      };
      const result = await this.throttled(() => this.collection.deleteMany(filter), options.abortSignal);
      deleted += result.deletedCount;
      options.onProgress?.(deleted);
    }
    return deleted;
  }

  /**
   * Sorted by `_id` (an index scan), streamed a batch at a time, each document as canonical Extended JSON.
   * The batch is taken as raw bytes (`raw`: slices of the reply, no copy) and the next one is asked for at
   * once, so the server works on it (or it crosses the network) while this one is converted, compressed and
   * uploaded; each document becomes an object only as it is yielded, so one is alive at a time.
   */
  private async *find(filter: Document, options: ReadOptions): AsyncIterable<ExportedDocument> {
    const findOptions: FindOptions = { ...READ_TYPES, sort: { _id: 1 }, batchSize: this.readBatch, raw: true };
    const cursor = this.collection.find(filter, { ...findOptions, signal: options.abortSignal });
    const { deserialize } = mongoSdk().BSON;
    const fetch = () => {
      const fetched = cursor.hasNext();
      fetched.catch(() => {}); // handled where it is awaited; not unhandled while a batch is being yielded
      return fetched;
    };
    let more = fetch();
    try {
      while (await more) {
        const batch = cursor.readBufferedDocuments() as unknown as Uint8Array[];
        more = fetch();
        for (const bytes of batch) {
          options.abortSignal?.throwIfAborted(); // the driver checks it per request, not per buffered document
          yield toExtendedJson(deserialize(bytes, DESERIALIZE));
        }
      }
    } finally {
      await more.catch(() => false); // a consumer that stopped early: let the request in flight end first
      await cursor.close();
    }
  }

  /** One unordered bulkWrite; operations Cosmos DB throttled (16500) are sent again, the rest fail the call. */
  /**
   * Upsert in two steps: insert every document, then replace those that were already there (duplicate
   * key). Into a new collection (a restore) that is one insert per batch: a replace-with-upsert looks each
   * document up first, which on FerretDB scans the collection and made a 10,000-document restore take
   * minutes. On a retry or an overlap the replaces make it an upsert all the same.
   */
  private async insertOrReplace(documents: StoredDocument[], abortSignal?: AbortSignal): Promise<void> {
    let present: StoredDocument[] = [];
    try {
      await this.bulkWrite(
        documents.map((document) => ({ insertOne: { document } }) as AnyBulkWriteOperation<StoredDocument>),
        abortSignal,
      );
    } catch (err) {
      const duplicates = duplicateIndexes(err);
      if (!duplicates) throw err;
      present = duplicates.map((i) => documents[i]!);
    }
    if (present.length)
      await this.bulkWrite(
        present.map(
          (document) =>
            ({
              replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true },
            }) as AnyBulkWriteOperation<StoredDocument>,
        ),
        abortSignal,
      );
  }

  private async bulkWrite(
    operations: AnyBulkWriteOperation<StoredDocument>[],
    abortSignal?: AbortSignal,
  ): Promise<void> {
    let pending = operations;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.collection.bulkWrite(pending, { ordered: false });
        return;
      } catch (err) {
        const retry = throttledOperations(err, pending);
        if (!retry || attempt + 1 >= MAX_THROTTLED_TRIES) throw err;
        await sleep(retryAfterMs(err, attempt), undefined, { signal: abortSignal });
        pending = retry;
      }
    }
  }

  /** A whole call that Cosmos DB throttled is made again (deletes are idempotent). */
  private async throttled<T>(call: () => Promise<T>, abortSignal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (!isThrottled(err) || attempt + 1 >= MAX_THROTTLED_TRIES) throw err;
        await sleep(retryAfterMs(err, attempt), undefined, { signal: abortSignal });
      }
    }
  }
}

/** The operations an unordered insert refused as duplicate keys; undefined when anything else failed. */
function duplicateIndexes(err: unknown): number[] | undefined {
  if (!(err instanceof mongoSdk().MongoBulkWriteError)) return undefined;
  const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  if (errors.length === 0 || errors.some((e) => e.code !== DUPLICATE_KEY)) return undefined;
  return errors.map((e) => e.index);
}

function isThrottled(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === TOO_MANY_REQUESTS;
}

/**
 * The operations to send again when every failure was throttling: all of them when the whole command was
 * refused, else the ones the bulk write error names (an unordered bulk write ran all the others).
 * Undefined when anything failed for another reason.
 */
export function throttledOperations<T>(err: unknown, operations: T[]): T[] | undefined {
  const writeErrors = (err as { writeErrors?: unknown } | null)?.writeErrors;
  const failures = (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []) as {
    index?: unknown;
    code?: unknown;
  }[];
  const writeConcernError = (err as { writeConcernError?: unknown } | null)?.writeConcernError;
  if (failures.length === 0) return isThrottled(err) && !writeConcernError ? operations : undefined;
  if (writeConcernError || !failures.every((f) => f.code === TOO_MANY_REQUESTS && typeof f.index === 'number'))
    return undefined;
  return failures.map((f) => operations[f.index as number]!);
}

/** Cosmos DB says how long to wait (`RetryAfterMs=…` in the message); else a delay growing up to 10 s. */
function retryAfterMs(err: unknown, attempt: number): number {
  const messages = [err, ...[(err as { writeErrors?: unknown }).writeErrors ?? []].flat()]
    .map((e) => (e as { message?: unknown; errmsg?: unknown })?.message ?? (e as { errmsg?: unknown })?.errmsg)
    .filter((m): m is string => typeof m === 'string');
  const hinted = Math.max(0, ...messages.map((m) => Number(/RetryAfterMs=(\d+)/i.exec(m)?.[1] ?? 0)));
  return Math.min(MAX_RETRY_AFTER_MS, hinted || 100 * 2 ** attempt);
}

function preview(document: ExportedDocument): string {
  return JSON.stringify(document).slice(0, 200);
}
