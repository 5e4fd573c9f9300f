// The configuration schema: named connections (the only place secrets live) and how the worker
// reaches Temporal. Workflows refer to connections by name; the worker resolves them from here.
import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import { CONNECTION_NAME } from '../domain/connection-name';
import { ACTIVITY_SLOTS, CACHED_WORKFLOWS, HEAP_GROWTH_PERCENT, SOCKETS_PER_ACCOUNT } from './worker-defaults';
import { parseConnectionString } from './connection-string';
import { keysConfigSchema } from './key-config';

const url = z.url({ error: 'must be an absolute URL such as https://account.blob.core.windows.net' });
const nonEmpty = z.string().min(1, { error: 'must not be empty' });
const positiveInt = z.number().int().positive({ error: 'must be a whole number greater than 0' });
/** Checked at load time: a wrong path should fail with the field's name, not as ENOENT in a client. */
const readableFile = nonEmpty.refine(
  (path) => {
    try {
      accessSync(path, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'must be the path of a readable PEM file (relative paths start at the working directory)' },
);

const port = z
  .number()
  .int()
  .min(1, { error: 'must be a TCP port (1-65535)' })
  .max(65535, { error: 'must be a TCP port (1-65535)' });

export const metricsConfigSchema = z
  .object({
    /** Where Prometheus scrapes `/metrics`: azbackup's metrics followed by the Temporal runtime's. */
    port: port.default(9464),
    host: nonEmpty.default('0.0.0.0'),
    /** The Temporal runtime's own exporter, on 127.0.0.1 only (read through `/metrics`); default port + 1. */
    runtimePort: port.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const runtimePort = m.runtimePort ?? m.port + 1;
    if (runtimePort > 65535)
      ctx.addIssue({
        code: 'custom',
        path: ['runtimePort'],
        message: 'is required when port is 65535 (default: port + 1)',
      });
    else if (runtimePort === m.port)
      ctx.addIssue({ code: 'custom', path: ['runtimePort'], message: 'must differ from port' });
  });

export const blobConnectionSchema = z
  .object({
    kind: z.literal('blob'),
    /** Full connection string (account key or SAS inside). */
    connectionString: nonEmpty.optional(),
    /** Account name + key; `accountUrl` defaults to https://<name>.blob.core.windows.net. */
    accountName: nonEmpty.optional(),
    accountKey: nonEmpty.optional(),
    /** Account URL; with `sasToken` or `credential: default`, or to point an account key elsewhere. */
    accountUrl: url.optional(),
    sasToken: nonEmpty.optional(),
    /** `default`: DefaultAzureCredential (managed identity, workload identity, az login...). */
    credential: z.literal('default', { error: "must be 'default' (DefaultAzureCredential)" }).optional(),
    /** Cap on requests per second this worker sends to the account (all activities together). */
    maxRequestsPerSecond: positiveInt.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const methods = [
      c.connectionString !== undefined && 'connectionString',
      c.accountKey !== undefined && 'accountKey',
      c.sasToken !== undefined && 'sasToken',
      c.credential !== undefined && 'credential',
    ].filter(Boolean);
    if (methods.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          `give exactly one way to authenticate (found ${methods.length ? methods.join(', ') : 'none'}); allowed: ` +
          "connectionString | accountName + accountKey | accountUrl + sasToken | accountUrl + credential: 'default'",
      });
      return;
    }
    if (c.connectionString !== undefined) {
      try {
        parseConnectionString(c.connectionString);
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          path: ['connectionString'],
          message:
            `is not a usable storage connection string: ${(err as Error).message}; expected ` +
            "'DefaultEndpointsProtocol=https;AccountName=<name>;AccountKey=<key>;EndpointSuffix=core.windows.net', " +
            "'BlobEndpoint=<url>;SharedAccessSignature=<sas>' or 'UseDevelopmentStorage=true'",
        });
      }
    }
    if (c.accountKey !== undefined && c.accountName === undefined) {
      ctx.addIssue({ code: 'custom', path: ['accountName'], message: 'is required with accountKey' });
    }
    if ((c.sasToken !== undefined || c.credential !== undefined) && c.accountUrl === undefined) {
      ctx.addIssue({ code: 'custom', path: ['accountUrl'], message: `is required with ${methods[0]}` });
    }
  });

export const cosmosConnectionSchema = z
  .object({
    kind: z.literal('cosmos'),
    endpoint: url,
    key: nonEmpty.optional(),
    credential: z.literal('default', { error: "must be 'default' (DefaultAzureCredential)" }).optional(),
    /** PEM file of a CA to trust for this endpoint only (local emulators with their own certificate). */
    caFile: readableFile.optional(),
  })
  .strict()
  .refine((c) => (c.key === undefined) !== (c.credential === undefined), {
    message: "give exactly one of key or credential: 'default'",
  });

export const adfConnectionSchema = z
  .object({
    kind: z.literal('adf'),
    subscriptionId: nonEmpty,
    resourceGroup: nonEmpty,
    factoryName: nonEmpty,
    /** ARM endpoint; defaults to Azure's public cloud. */
    endpoint: url.optional(),
    caFile: readableFile.optional(),
    /** `default` (DefaultAzureCredential) or a fixed bearer token (local stand-in, short-lived tokens). */
    credential: z.union([z.literal('default'), z.object({ token: nonEmpty }).strict()], {
      error: "must be 'default' or { token: <bearer token> }",
    }),
  })
  .strict();

export const mongoConnectionSchema = z
  .object({
    kind: z.literal('mongo'),
    /** mongodb:// or mongodb+srv:// URI (Cosmos DB for MongoDB's, with its password inside: a secret). */
    connectionString: nonEmpty.refine((s) => /^mongodb(\+srv)?:\/\//.test(s), {
      error: 'must be a mongodb:// or mongodb+srv:// connection string',
    }),
  })
  .strict();

/** A storage queue service (producer triggers: Event Grid BlobCreated messages; see worker.queueTriggers). */
export const queueConnectionSchema = z
  .object({
    kind: z.literal('queue'),
    /** Connection string with a QueueEndpoint, or an account's (the queue endpoint is derived). */
    connectionString: nonEmpty.optional(),
    /** https://<account>.queue.core.windows.net, with sasToken or credential: default. */
    accountUrl: url.optional(),
    sasToken: nonEmpty.optional(),
    credential: z.literal('default', { error: "must be 'default' (DefaultAzureCredential)" }).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const methods = [c.connectionString, c.sasToken, c.credential].filter((m) => m !== undefined).length;
    if (methods !== 1)
      ctx.addIssue({
        code: 'custom',
        message: "give exactly one of connectionString | accountUrl + sasToken | accountUrl + credential: 'default'",
      });
    else if (c.connectionString === undefined && c.accountUrl === undefined)
      ctx.addIssue({ code: 'custom', path: ['accountUrl'], message: 'is required with sasToken or credential' });
  });

const queueName = z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$/, {
  error: 'must be a queue name: 3 to 56 lowercase letters, digits and single dashes (room for -poison)',
});

/** A queue of Event Grid BlobCreated messages turned into backup requests by the worker (src/triggers). */
export const queueTriggerSchema = z
  .object({
    /** The queue connection. */
    connection: nonEmpty,
    queue: queueName,
    /** The backup connection of the runs it requests. */
    backup: nonEmpty,
    backupContainer: nonEmpty.optional(),
    /** Only events of this blob connection's account (default: the blob connection whose account the event names). */
    source: nonEmpty.optional(),
    /** Deliveries before a message is moved to <queue>-poison (default 5). */
    maxDequeueCount: positiveInt.default(5),
    /** Wait between polls of an empty queue (default 5000). */
    pollIntervalMs: positiveInt.default(5000),
    /** How long a received message stays invisible to other consumers (default 60). */
    visibilityTimeoutSeconds: positiveInt.default(60),
    /** The trigger's wait for more requests after a run (default 60). */
    lingerSeconds: z.number().int().min(0).max(3600).optional(),
  })
  .strict();

export const connectionSchema = z.discriminatedUnion('kind', [
  blobConnectionSchema,
  cosmosConnectionSchema,
  mongoConnectionSchema,
  adfConnectionSchema,
  queueConnectionSchema,
]);

export const configSchema = z
  .object({
    temporal: z
      .object({
        address: z
          .string()
          .regex(/^[^\s:]+:\d{1,5}$/, { error: 'must be host:port, for example 127.0.0.1:7233' })
          .default('127.0.0.1:7233'),
        namespace: nonEmpty.default('default'),
        taskQueue: nonEmpty.default('azbackup'),
        /** Base URL of the Temporal UI, used to print links to workflows. */
        uiUrl: url.optional(),
      })
      .strict()
      .prefault({}),
    worker: z
      .object({
        /** Activity slots; default 4 per core. */
        maxConcurrentActivityTaskExecutions: positiveInt.default(ACTIVITY_SLOTS),
        maxConcurrentWorkflowTaskExecutions: positiveInt.default(20),
        /** Workflows cached between tasks (an evicted one is replayed when it runs again); default 100. */
        maxCachedWorkflows: positiveInt.default(CACHED_WORKFLOWS),
        /** Sockets per storage account (one keep-alive agent per account); default 8 per core. */
        maxSocketsPerAccount: positiveInt.default(SOCKETS_PER_ACCOUNT),
        /** V8's heap growth step in percent (--heap-growing-percent), set by the worker process; default 50. */
        heapGrowthPercent: positiveInt.default(HEAP_GROWTH_PERCENT),
        /** Prometheus metrics on http://host:port/metrics (src/metrics); absent: no endpoint. */
        metrics: metricsConfigSchema.optional(),
        /** Storage queues of Event Grid BlobCreated events this worker consumes (src/triggers). */
        queueTriggers: z.array(queueTriggerSchema).default([]),
      })
      .strict()
      .prefault({}),
    /** Encryption keys by name (exports name one; the material stays with the worker). */
    keys: keysConfigSchema.default({}),
    /** Schedules kept in version control, made real by `azbackup schedule apply`; checked in parseConfig (src/schedules). */
    schedules: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    connections: z.record(
      z.string().regex(CONNECTION_NAME, {
        error: 'connection names are lowercase letters, digits and dashes, starting with a letter',
      }),
      connectionSchema,
    ),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Queue triggers name connections: each must exist and be of the kind its field needs.
    c.worker.queueTriggers.forEach((t, i) => {
      for (const [field, kind] of [
        ['connection', 'queue'],
        ['backup', 'blob'],
        ['source', 'blob'],
      ] as const) {
        const name = t[field];
        if (name === undefined) continue;
        const found = c.connections[name]?.kind;
        if (found !== kind)
          ctx.addIssue({
            code: 'custom',
            path: ['worker', 'queueTriggers', i, field],
            message: found
              ? `is a ${found} connection; this needs a ${kind} connection`
              : 'is not a connection of this config',
          });
      }
    });
  });

export type Config = z.infer<typeof configSchema>;
export type MetricsConfig = z.infer<typeof metricsConfigSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ConnectionConfig = z.infer<typeof connectionSchema>;
export type BlobConnectionConfig = z.infer<typeof blobConnectionSchema>;
export type CosmosConnectionConfig = z.infer<typeof cosmosConnectionSchema>;
export type AdfConnectionConfig = z.infer<typeof adfConnectionSchema>;
export type QueueConnectionConfig = z.infer<typeof queueConnectionSchema>;
export type QueueTriggerConfig = z.infer<typeof queueTriggerSchema>;
export type MongoConnectionConfig = z.infer<typeof mongoConnectionSchema>;
