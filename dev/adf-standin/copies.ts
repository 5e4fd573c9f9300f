// What the stand-in's Lookup and Copy activities do to the local stack, for the stores azbackup's pipelines
// use, with the outputs ADF reports:
// - Binary -> Binary on Azure Blob Storage: a server-side copy per file (Copy Blob with a read SAS on the
//   source, as BlobAccount.readUrl makes it), one named file or every blob under a prefix or folder (a blob
//   keeps its path after the prefix's last '/', ADF's PreserveHierarchy). validateDataConsistency compares
//   size and MD5; a source that is not there is skipped (skipErrorFile.fileMissing, default true) and logged
//   as ADF's session log does: CSV lines `Timestamp,Level,OperationName,OperationItem,Message` with
//   OperationName FileSkip, in <log path>/copyactivity-logs/<activity>/<activity run id>/<guid>.txt.
// - Cosmos DB for NoSQL (query) -> JSON, and Cosmos DB for MongoDB (filter, cursorMethods) -> JSON: one file,
//   setOfObjects = one document per line (NDJSON), Mongo documents as canonical Extended JSON.
// - Lookup on a JSON file: an array is its rows (at most 5,000 returned, as ADF truncates), NDJSON its lines.
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { BSON, type Document } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { CopyError, type StackConnections } from './stack-connections';

const { EJSON } = BSON;
/** What ADF's Lookup activity returns at most (it truncates silently) and how large its output may be. */
export const LOOKUP_MAX_ROWS = 5000;
export const LOOKUP_MAX_BYTES = 4 * 1024 * 1024;
const COPY_CONCURRENCY = 16;

export interface ResolvedLinkedService {
  name: string;
  type: string;
  typeProperties: Record<string, unknown>;
}

export interface ResolvedDataset {
  name: string;
  type: string;
  typeProperties: Record<string, unknown>;
  linkedService: ResolvedLinkedService;
}

export interface CopyEnvironment {
  stack: StackConnections;
  signal: AbortSignal;
  activityName: string;
  activityRunId: string;
  /** Another linked service of the factory (a Key Vault a secret reference names). */
  linkedService(name: string, parameters: Record<string, unknown>): ResolvedLinkedService;
}

export interface CopySpec {
  source: Record<string, unknown>;
  sink: Record<string, unknown>;
  input: ResolvedDataset;
  output: ResolvedDataset;
  validateDataConsistency: boolean;
  skipErrorFile: { fileMissing?: boolean; dataInconsistency?: boolean };
  log?: { linkedService: ResolvedLinkedService; path: string; level: string };
}

interface BlobPlace {
  service: BlobServiceClient;
  account: ReturnType<StackConnections['blobAccount']>;
  container: string;
  folderPath: string;
  fileName: string;
}

export async function lookup(
  env: CopyEnvironment,
  spec: { dataset: ResolvedDataset; firstRowOnly: boolean },
): Promise<unknown> {
  if (spec.dataset.type !== 'Json')
    throw new CopyError('NotSupported', `The stand-in's Lookup reads JSON datasets only, not ${spec.dataset.type}.`);
  const place = blobPlace(env, spec.dataset);
  const blob = place.service.getContainerClient(place.container).getBlobClient(join(place.folderPath, place.fileName));
  let text: string;
  try {
    text = (await blob.downloadToBuffer(undefined, undefined, { abortSignal: env.signal })).toString('utf8');
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) throw missingBlob(place.container, blob.name);
    throw err;
  }
  let rows: unknown[];
  try {
    const parsed: unknown = JSON.parse(text);
    rows = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    try {
      rows = text
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as unknown);
    } catch {
      throw new CopyError('UserErrorMalformedJson', `Malformed JSON in ${place.container}/${blob.name}.`);
    }
  }
  if (spec.firstRowOnly) return { firstRow: rows[0] ?? {}, effectiveIntegrationRuntime: RUNTIME };
  const value = rows.slice(0, LOOKUP_MAX_ROWS);
  if (Buffer.byteLength(JSON.stringify(value)) > LOOKUP_MAX_BYTES)
    throw new CopyError(
      'UserErrorLookupResultTooLarge',
      `The size of lookup activity result exceeds the limitation ${LOOKUP_MAX_BYTES}.`,
    );
  return { count: value.length, value, effectiveIntegrationRuntime: RUNTIME };
}

export async function copy(env: CopyEnvironment, spec: CopySpec): Promise<unknown> {
  const started = Date.now();
  const kinds = `${String(spec.source.type)} -> ${String(spec.sink.type)}`;
  let output: Record<string, unknown>;
  if (spec.source.type === 'BinarySource' && spec.sink.type === 'BinarySink') output = await copyBinary(env, spec);
  else if (spec.source.type === 'CosmosDbSqlApiSource' && spec.sink.type === 'JsonSink')
    output = await exportCosmos(env, spec);
  else if (spec.source.type === 'CosmosDbMongoDbApiSource' && spec.sink.type === 'JsonSink')
    output = await exportMongo(env, spec);
  else throw new CopyError('NotSupported', `The ADF stand-in does not perform ${kinds} copies.`);
  const seconds = Math.max(1, Math.round((Date.now() - started) / 1000));
  return {
    ...output,
    copyDuration: seconds,
    throughput: Math.round(((output.dataRead as number) / 1024 / seconds) * 1000) / 1000,
    errors: [],
    effectiveIntegrationRuntime: RUNTIME,
    usedDataIntegrationUnits: 4,
    usedParallelCopies: 1,
  };
}

const RUNTIME = 'AutoResolveIntegrationRuntime (azbackup ADF stand-in)';

async function copyBinary(env: CopyEnvironment, spec: CopySpec): Promise<Record<string, unknown>> {
  const from = blobPlace(env, spec.input);
  const to = blobPlace(env, spec.output);
  const sourceContainer = from.service.getContainerClient(from.container);
  const sinkContainer = to.service.getContainerClient(to.container);
  const storeSettings = (spec.source.storeSettings ?? {}) as { prefix?: unknown; recursive?: unknown };
  const copyBehavior = (spec.sink.storeSettings as { copyBehavior?: unknown } | undefined)?.copyBehavior;
  if (copyBehavior !== undefined && copyBehavior !== 'PreserveHierarchy')
    throw new CopyError(
      'NotSupported',
      `The stand-in copies with PreserveHierarchy only, not ${String(copyBehavior)}.`,
    );
  // What to copy, each with the path it keeps under the sink's folder.
  const files: { name: string; relative: string }[] = [];
  if (typeof storeSettings.prefix === 'string') {
    const keepFrom = storeSettings.prefix.lastIndexOf('/') + 1;
    for await (const b of sourceContainer.listBlobsFlat({ prefix: storeSettings.prefix, abortSignal: env.signal }))
      files.push({ name: b.name, relative: b.name.slice(keepFrom) });
  } else if (from.fileName) {
    files.push({ name: join(from.folderPath, from.fileName), relative: from.fileName });
  } else {
    const prefix = from.folderPath ? `${from.folderPath}/` : '';
    for await (const b of sourceContainer.listBlobsFlat({ prefix, abortSignal: env.signal })) {
      const relative = b.name.slice(prefix.length);
      if (storeSettings.recursive === false && relative.includes('/')) continue;
      files.push({ name: b.name, relative });
    }
  }
  const skipMissing = spec.skipErrorFile.fileMissing !== false;
  const totals = { filesRead: 0, filesWritten: 0, filesSkipped: 0, dataRead: 0, dataWritten: 0 };
  const log: string[] = [];
  if (files.length) await sinkContainer.createIfNotExists({ abortSignal: env.signal });
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(COPY_CONCURRENCY, files.length) }, async () => {
      while (next < files.length) {
        const file = files[next++]!;
        const target = to.fileName ? join(to.folderPath, to.fileName) : join(to.folderPath, file.relative);
        const outcome = await copyOneBlob(env, from, sourceContainer, sinkContainer, file.name, target, spec);
        if (outcome.skipped) {
          if (outcome.skipped === 'missing' && !skipMissing) throw missingBlob(from.container, file.name);
          totals.filesSkipped++;
          log.push(sessionLogLine('Warning', 'FileSkip', file.name, outcome.message));
          continue;
        }
        totals.filesRead++;
        totals.filesWritten++;
        totals.dataRead += outcome.bytes;
        totals.dataWritten += outcome.bytes;
      }
    }),
  );
  const logFilePath = spec.log ? await writeSessionLog(env, spec.log, log) : undefined;
  return {
    ...totals,
    sourcePeakConnections: Math.min(COPY_CONCURRENCY, files.length),
    sinkPeakConnections: Math.min(COPY_CONCURRENCY, files.length),
    ...(spec.validateDataConsistency
      ? {
          dataConsistencyVerification: {
            VerificationResult: 'Verified',
            InconsistentData: totals.filesSkipped ? 'Skipped' : 'None',
          },
        }
      : {}),
    ...(logFilePath !== undefined ? { logFilePath } : {}),
  };
}

async function copyOneBlob(
  env: CopyEnvironment,
  from: BlobPlace,
  sourceContainer: ContainerClient,
  sinkContainer: ContainerClient,
  name: string,
  targetName: string,
  spec: CopySpec,
): Promise<{ skipped?: undefined; bytes: number } | { skipped: 'missing' | 'inconsistent'; message: string }> {
  const source = sourceContainer.getBlobClient(name);
  let size: number;
  let md5: string | undefined;
  try {
    const props = await source.getProperties({ abortSignal: env.signal });
    size = props.contentLength ?? 0;
    md5 = props.contentMD5 && Buffer.from(props.contentMD5).toString('base64');
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    return { skipped: 'missing', message: fileSkipMessage(0, missingBlob(from.container, name)) };
  }
  const target = sinkContainer.getBlobClient(targetName);
  const url = await from.account.readUrl(source, { abortSignal: env.signal });
  try {
    const poller = await target.beginCopyFromURL(url, { abortSignal: env.signal });
    await poller.pollUntilDone();
  } catch (err) {
    // Deleted between its properties and the copy: the fault tolerance ADF documents for fileMissing.
    if ((err as { statusCode?: number }).statusCode === 404)
      return { skipped: 'missing', message: fileSkipMessage(0, missingBlob(from.container, name)) };
    throw err;
  }
  if (spec.validateDataConsistency) {
    const written = await target.getProperties({ abortSignal: env.signal });
    const writtenMd5 = written.contentMD5 && Buffer.from(written.contentMD5).toString('base64');
    if (written.contentLength !== size || (md5 && writtenMd5 && md5 !== writtenMd5)) {
      const error = new CopyError(
        'DataConsistencyValidationNotPass',
        `Source file '${name}' and sink file '${targetName}' are not consistent: size ${size} vs ${written.contentLength}, MD5 ${md5} vs ${writtenMd5}.`,
      );
      if (!spec.skipErrorFile.dataInconsistency) throw error;
      return { skipped: 'inconsistent', message: fileSkipMessage(size, error) };
    }
  }
  return { bytes: size };
}

async function exportCosmos(env: CopyEnvironment, spec: CopySpec): Promise<Record<string, unknown>> {
  const ls = spec.input.linkedService;
  if (ls.type !== 'CosmosDb')
    throw new CopyError('NotSupported', `A Cosmos DB source needs a CosmosDb linked service, not ${ls.type}.`);
  const client = env.stack.cosmos(ls.typeProperties.accountEndpoint);
  const database = String(ls.typeProperties.database ?? '');
  const collection = String(spec.input.typeProperties.collectionName ?? '');
  const query = typeof spec.source.query === 'string' && spec.source.query ? spec.source.query : 'select * from c';
  const pageSize = typeof spec.source.pageSize === 'number' ? spec.source.pageSize : 1000;
  const documents = async function* (): AsyncGenerator<unknown> {
    const iterator = client
      .database(database)
      .container(collection)
      .items.query(query, { maxItemCount: pageSize, abortSignal: env.signal });
    try {
      while (iterator.hasMoreResults()) {
        const page = await iterator.fetchNext();
        for (const document of page.resources) yield document;
      }
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 404 || code === 400)
        throw new CopyError(
          'CosmosDbSqlApiOperationFailed',
          `ErrorCode=CosmosDbSqlApiOperationFailed,'Message=Cosmos DB answered ${String(code)} to the query on ${database}/${collection}: ${firstLine(err)}'`,
        );
      throw err;
    }
  };
  return writeJsonFile(env, spec, documents(), (d) => JSON.stringify(d));
}

async function exportMongo(env: CopyEnvironment, spec: CopySpec): Promise<Record<string, unknown>> {
  const ls = spec.input.linkedService;
  if (ls.type !== 'CosmosDbMongoDbApi')
    throw new CopyError(
      'NotSupported',
      `A Cosmos DB for MongoDB source needs a CosmosDbMongoDbApi linked service, not ${ls.type}.`,
    );
  const connectionString = secretValue(env, ls.typeProperties.connectionString);
  const database = String(ls.typeProperties.database ?? '');
  const collection = String(spec.input.typeProperties.collection ?? '');
  const cursorMethods = (spec.source.cursorMethods ?? {}) as Record<string, unknown>;
  const parse = (text: unknown, what: string): Document => {
    if (text === undefined || text === null || text === '') return {};
    try {
      return EJSON.parse(String(text), { relaxed: false }) as Document;
    } catch (err) {
      throw new CopyError(
        'MongoDbInvalidQuery',
        `The ${what} ${JSON.stringify(text)} is not valid JSON: ${firstLine(err)}`,
      );
    }
  };
  const filter = parse(spec.source.filter, 'filter');
  const documents = async function* (): AsyncGenerator<Document> {
    const cursor = env.stack
      .mongo(connectionString)
      .db(database)
      .collection(collection)
      .find(filter, {
        promoteValues: false,
        promoteLongs: false,
        promoteBuffers: false,
        bsonRegExp: true,
        batchSize: typeof spec.source.batchSize === 'number' ? spec.source.batchSize : 1000,
        ...(cursorMethods.sort ? { sort: parse(cursorMethods.sort, 'sort') } : {}),
        ...(cursorMethods.project ? { projection: parse(cursorMethods.project, 'project') } : {}),
        ...(typeof cursorMethods.skip === 'number' ? { skip: cursorMethods.skip } : {}),
        ...(typeof cursorMethods.limit === 'number' ? { limit: cursorMethods.limit } : {}),
        signal: env.signal,
      });
    try {
      for await (const document of cursor) yield document;
    } finally {
      await cursor.close();
    }
  };
  return writeJsonFile(env, spec, documents(), (d) => EJSON.stringify(d, { relaxed: false }));
}

/** A connection string as a linked service holds it: plain, a SecureString, or a Key Vault secret reference. */
function secretValue(env: CopyEnvironment, value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { type?: string; value?: unknown; store?: { referenceName?: string }; secretName?: unknown };
  if (v?.type === 'SecureString' && typeof v.value === 'string') return v.value;
  if (v?.type === 'AzureKeyVaultSecret' && v.store?.referenceName) {
    const vault = env.linkedService(v.store.referenceName, {});
    return env.stack.keyVaultSecret(vault.typeProperties.baseUrl, v.secretName);
  }
  throw new CopyError('UserErrorInvalidValue', 'The connection string of the linked service is missing.');
}

/** One JSON file on blob storage: setOfObjects (default) writes one object per line, arrayOfObjects a JSON array. */
async function writeJsonFile<T>(
  env: CopyEnvironment,
  spec: CopySpec,
  documents: AsyncIterable<T>,
  serialize: (document: T) => string,
): Promise<Record<string, unknown>> {
  if (spec.output.type !== 'Json')
    throw new CopyError('NotSupported', `The stand-in writes JSON sinks only, not ${spec.output.type}.`);
  const pattern = (spec.sink.formatSettings as { filePattern?: unknown } | undefined)?.filePattern ?? 'setOfObjects';
  if (pattern !== 'setOfObjects' && pattern !== 'arrayOfObjects')
    throw new CopyError('NotSupported', `Unknown JSON file pattern ${String(pattern)}.`);
  const place = blobPlace(env, spec.output);
  if (!place.fileName) throw new CopyError('UserErrorInvalidValue', 'The JSON sink dataset names no file.');
  const container = place.service.getContainerClient(place.container);
  await container.createIfNotExists({ abortSignal: env.signal });
  let rows = 0;
  let bytes = 0;
  const lines = async function* (): AsyncGenerator<Buffer> {
    if (pattern === 'arrayOfObjects') yield Buffer.from('[');
    for await (const document of documents) {
      const text = `${pattern === 'arrayOfObjects' && rows > 0 ? ',' : ''}${serialize(document)}${pattern === 'setOfObjects' ? '\n' : ''}`;
      const chunk = Buffer.from(text);
      rows++;
      bytes += chunk.length;
      yield chunk;
    }
    if (pattern === 'arrayOfObjects') yield Buffer.from(']');
  };
  await container
    .getBlockBlobClient(join(place.folderPath, place.fileName))
    .uploadStream(Readable.from(lines()), 4 * 1024 * 1024, 2, {
      abortSignal: env.signal,
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  return {
    dataRead: bytes,
    dataWritten: bytes,
    filesWritten: 1,
    rowsRead: rows,
    rowsCopied: rows,
    sourcePeakConnections: 1,
    sinkPeakConnections: 1,
  };
}

function blobPlace(env: CopyEnvironment, dataset: ResolvedDataset): BlobPlace {
  const ls = dataset.linkedService;
  if (ls.type !== 'AzureBlobStorage')
    throw new CopyError(
      'NotSupported',
      `The stand-in reads and writes files on AzureBlobStorage only, not ${ls.type}.`,
    );
  const location = (dataset.typeProperties.location ?? {}) as Record<string, unknown>;
  if (location.type !== 'AzureBlobStorageLocation')
    throw new CopyError('NotSupported', `Dataset ${dataset.name} has no AzureBlobStorageLocation.`);
  const account = env.stack.blobAccount(ls.typeProperties.serviceEndpoint);
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const container = text(location.container);
  if (!container) throw new CopyError('UserErrorInvalidValue', `Dataset ${dataset.name} names no container.`);
  return {
    service: account.service,
    account,
    container,
    folderPath: text(location.folderPath).replace(/^\/+|\/+$/g, ''),
    fileName: text(location.fileName),
  };
}

async function writeSessionLog(
  env: CopyEnvironment,
  log: NonNullable<CopySpec['log']>,
  lines: string[],
): Promise<string> {
  const [container, ...rest] = log.path.split('/');
  if (!container) throw new CopyError('UserErrorInvalidValue', 'The copy activity log path names no container.');
  const folder = join(...rest, 'copyactivity-logs', env.activityName, env.activityRunId);
  if (lines.length) {
    const account = env.stack.blobAccount(log.linkedService.typeProperties.serviceEndpoint);
    const client = account.service.getContainerClient(container);
    await client.createIfNotExists({ abortSignal: env.signal });
    const text = ['Timestamp,Level,OperationName,OperationItem,Message', ...lines, ''].join('\n');
    await client.getBlockBlobClient(`${folder}/${randomUUID()}.txt`).upload(text, Buffer.byteLength(text), {
      abortSignal: env.signal,
      blobHTTPHeaders: { blobContentType: 'text/plain' },
    });
  }
  return `${container}/${folder}/`;
}

function sessionLogLine(level: string, operation: string, item: string, message: string): string {
  const timestamp = new Date().toISOString().replace('T', ' ').replace('Z', '0000');
  return [timestamp, level, operation, csv(item), csv(message)].join(',');
}

function csv(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

function fileSkipMessage(bytesRead: number, error: CopyError): string {
  return (
    `File is skipped after read ${bytesRead} bytes: ErrorCode=${error.errorCode},` +
    `'Type=Microsoft.DataTransfer.Common.Shared.HybridDeliveryException,Message=${error.message},Source=Microsoft.DataTransfer.ClientLibrary,'.`
  );
}

function missingBlob(container: string, name: string): CopyError {
  return new CopyError(
    'UserErrorSourceBlobNotExists',
    `The required Blob is missing. ContainerName: ${container}, path: ${name}.`,
  );
}

function join(...parts: string[]): string {
  return parts.filter(Boolean).join('/');
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
