// A Cosmos DB (NoSQL API) container as a DocumentStore: windows by `_ts`, bulk upserts back in.
import type { Container, CosmosClient, JSONObject, OperationInput } from '@azure/cosmos';
import { setTimeout as sleep } from 'node:timers/promises';
import { cosmosSdk } from '../lib/lazy-sdk';
import { documentAccountName } from '../domain/account-url';
import { cosmosTsBounds } from '../domain/time-windows';
import type {
  ContainerShape,
  DocumentStore,
  ExportedDocument,
  ReadOptions,
  WriteOptions,
} from '../exports/document-store';

/** Properties the service stamps itself: exported for the record, never written back. */
const SYSTEM_PROPERTIES = ['_rid', '_self', '_etag', '_attachments', '_ts', '_lsn'];
/** The local server takes at most 100 operations a bulk call, as Azure's batch limit does. */
const BULK_OPERATIONS = 100;
const PAGE_ITEMS = 1000;

export interface CosmosStoreOptions {
  /** Partition key path (e.g. `/tenant`), when known; read from the container otherwise. */
  partitionKeyPath?: string;
}

export class CosmosStore implements DocumentStore {
  readonly kind = 'cosmos-sql' as const;
  readonly location: DocumentStore['location'];
  private partitionKeyPath: string | undefined;

  constructor(
    private readonly client: CosmosClient,
    endpoint: string,
    private readonly database: string,
    private readonly containerId: string,
    options: CosmosStoreOptions = {},
  ) {
    this.location = { account: documentAccountName(endpoint), database, container: containerId };
    this.partitionKeyPath = options.partitionKeyPath;
  }

  private get container(): Container {
    return this.client.database(this.database).container(this.containerId);
  }

  async exists(options: ReadOptions = {}): Promise<boolean> {
    try {
      const { resource } = await this.container.read({ abortSignal: options.abortSignal });
      this.partitionKeyPath ??= resource?.partitionKey?.paths?.[0];
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return false;
      throw err;
    }
  }

  /** The partition key path, read from the container once (it never changes). */
  async keyPath(options: ReadOptions = {}): Promise<string> {
    if (this.partitionKeyPath === undefined && !(await this.exists(options)))
      throw new Error(`container ${this.database}/${this.containerId} does not exist`);
    if (this.partitionKeyPath === undefined) throw new Error(`container ${this.containerId} has no partition key`);
    return this.partitionKeyPath;
  }

  async ensure(options: ReadOptions & { shape?: ContainerShape } = {}): Promise<void> {
    if (await this.exists(options)) return;
    const path = options.shape?.partitionKeyPath ?? this.partitionKeyPath ?? '/id';
    const { database } = await this.client.databases.createIfNotExists({ id: this.database });
    await database.containers.createIfNotExists({ id: this.containerId, partitionKey: { paths: [path] } });
    this.partitionKeyPath = path;
  }

  async shape(options: ReadOptions = {}): Promise<ContainerShape> {
    return { partitionKeyPath: await this.keyPath(options) };
  }

  async oldestTimeMs(options: ReadOptions = {}): Promise<number | undefined> {
    const { resources } = await this.container.items
      .query<number>('SELECT VALUE MIN(c._ts) FROM c', { abortSignal: options.abortSignal })
      .fetchAll();
    const ts = resources[0];
    return typeof ts === 'number' ? ts * 1000 : undefined;
  }

  readWindow(window: { fromMs: number; toMs: number }, options: ReadOptions = {}): AsyncIterable<ExportedDocument> {
    const { fromTs, toTs } = cosmosTsBounds(window);
    return this.query(
      {
        query: 'SELECT * FROM c WHERE c._ts >= @from AND c._ts < @to',
        parameters: [
          { name: '@from', value: fromTs },
          { name: '@to', value: toTs },
        ],
      },
      options,
    );
  }

  readAll(options: ReadOptions = {}): AsyncIterable<ExportedDocument> {
    return this.query({ query: 'SELECT * FROM c', parameters: [] }, options);
  }

  timeOf(document: ExportedDocument): number | undefined {
    return typeof document._ts === 'number' ? document._ts * 1000 : undefined;
  }

  keyOf(document: ExportedDocument): string {
    return JSON.stringify([this.partitionValue(document), document.id]);
  }

  async upsert(documents: AsyncIterable<ExportedDocument>, options: WriteOptions = {}): Promise<number> {
    await this.keyPath(options);
    let batch: OperationInput[] = [];
    let written = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await this.bulk(batch, options.abortSignal);
      written += batch.length;
      batch = [];
      options.onProgress?.(written);
    };
    for await (const document of documents) {
      const body = withoutSystemProperties(document);
      batch.push({
        operationType: cosmosSdk().BulkOperationType.Upsert,
        resourceBody: body as JSONObject,
        partitionKey: this.partitionValue(body) as string,
      });
      if (batch.length === BULK_OPERATIONS) await flush();
    }
    await flush();
    return written;
  }

  async *keys(options: ReadOptions = {}): AsyncIterable<string> {
    await this.keyPath(options);
    for await (const document of this.readAll(options)) yield this.keyOf(document);
  }

  async delete(keys: readonly string[], options: WriteOptions = {}): Promise<number> {
    let deleted = 0;
    for (const key of keys) {
      const [partition, id] = JSON.parse(key) as [unknown, string];
      try {
        await this.container.item(id, partition as string).delete({ abortSignal: options.abortSignal });
        deleted++;
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
      options.onProgress?.(deleted);
    }
    return deleted;
  }

  private async *query(
    spec: { query: string; parameters: { name: string; value: number }[] },
    options: ReadOptions,
  ): AsyncIterable<ExportedDocument> {
    const iterator = this.container.items.query<ExportedDocument>(spec, {
      maxItemCount: PAGE_ITEMS,
      abortSignal: options.abortSignal,
    });
    while (iterator.hasMoreResults()) {
      const page = await iterator.fetchNext();
      for (const document of page.resources) yield document;
    }
  }

  private partitionValue(document: ExportedDocument): unknown {
    let value: unknown = document;
    for (const part of (this.partitionKeyPath ?? '/id').split('/').filter(Boolean))
      value = (value as Record<string, unknown> | undefined)?.[part];
    return value;
  }

  /** One bulk call; operations the service throttled (429) are sent again, backing off up to 10 s. */
  private async bulk(operations: OperationInput[], abortSignal?: AbortSignal): Promise<void> {
    let pending = operations;
    for (let attempt = 0; pending.length; attempt++) {
      const results = await this.container.items.bulk(pending, { continueOnError: true }, { abortSignal });
      const throttled: OperationInput[] = [];
      let retryAfterMs = 0;
      results.forEach((result, i) => {
        if (result.statusCode === 429) {
          throttled.push(pending[i]!);
          retryAfterMs = Math.min(10_000, 250 * 2 ** attempt);
        } else if (result.statusCode >= 400) {
          const body = JSON.stringify(result.resourceBody ?? {}).slice(0, 200);
          throw Object.assign(new Error(`Cosmos DB refused an upsert (${result.statusCode}): ${body}`), {
            code: result.statusCode,
          });
        }
      });
      if (throttled.length && attempt >= 20) throw new Error('Cosmos DB kept throttling upserts (429) after 20 tries');
      if (throttled.length) await sleep(retryAfterMs, undefined, { signal: abortSignal });
      pending = throttled;
    }
  }
}

function withoutSystemProperties(document: ExportedDocument): ExportedDocument {
  const copy: ExportedDocument = { ...document };
  for (const key of SYSTEM_PROPERTIES) delete copy[key];
  return copy;
}
