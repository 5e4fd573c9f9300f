// Deploying azbackup's linked services, datasets and pipelines (adf/) to a Data Factory, idempotently: each
// resource is read first and written only when it is missing (created) or differs (updated, with If-Match on
// the etag read, so a concurrent edit is refused rather than overwritten); what already matches is left
// alone (unchanged), so a second deploy writes nothing. Linked services first, then datasets, then pipelines
// (ADF refuses a reference to something that does not exist yet).
// The factory is told *where* things are, never a key: blob and Cosmos linked services authenticate with
// the factory's managed identity; the Mongo connection string stays in Key Vault, named by a secret. The
// endpoints become the pipelines' parameter defaults (a run may still name others).
import type { DataFactoryManagementClient } from '@azure/arm-datafactory';
import { InvalidInputError } from '../domain/failures';
import { formatProblems, problemCollector } from '../domain/input-problems';
import type { DataFactoryTarget } from '../storage/data-factory';
import { unlessNotFound } from '../storage/errors';
import { armCall, type ArmRetryOptions } from './arm-requests';
import {
  copyOf,
  datasetModel,
  DEFINITIONS,
  holds,
  linkedServiceModel,
  pipelineModel,
  type ArmResourceJson,
  type ResourceKind,
} from './definitions';

export interface DeployPipelinesOptions {
  /** Blob service endpoint of the source account, e.g. https://mydata.blob.core.windows.net (no SAS). */
  sourceEndpoint: string;
  /** Blob service endpoint of the backup account. */
  backupEndpoint: string;
  /** Cosmos DB for NoSQL account endpoint: deploys azbackup-cosmos-window. */
  cosmosEndpoint?: string;
  /** Cosmos DB for MongoDB: deploys azbackup-mongo-window, reading the connection string from Key Vault. */
  mongo?: { keyVaultUrl: string; secretName: string };
  abortSignal?: AbortSignal;
  /** After each resource. */
  onProgress?: (resource: DeployedResource) => void;
  retry?: Omit<ArmRetryOptions, 'abortSignal'>;
}

export type DeployOutcome = 'created' | 'updated' | 'unchanged';

export interface DeployedResource {
  kind: ResourceKind;
  name: string;
  outcome: DeployOutcome;
}

export interface DeployPipelinesResult {
  resources: DeployedResource[];
  /** The pipelines now in the factory, by name. */
  pipelines: string[];
  created: number;
  updated: number;
  unchanged: number;
}

/** Key Vault secret names: 1-127 letters, digits and dashes. */
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;

export async function deployPipelines(
  target: DataFactoryTarget,
  options: DeployPipelinesOptions,
): Promise<DeployPipelinesResult> {
  const plan = deploymentPlan(options);
  const resources: DeployedResource[] = [];
  for (const { kind, resource } of plan) {
    const outcome = await deployOne(target, kind, resource, options);
    const deployed = { kind, name: resource.name, outcome };
    resources.push(deployed);
    options.onProgress?.(deployed);
  }
  const count = (outcome: DeployOutcome) => resources.filter((r) => r.outcome === outcome).length;
  return {
    resources,
    pipelines: resources.filter((r) => r.kind === 'pipeline').map((r) => r.name),
    created: count('created'),
    updated: count('updated'),
    unchanged: count('unchanged'),
  };
}

/** What to deploy, in order, with the endpoints and names filled in. Checks every setting first. */
export function deploymentPlan(options: DeployPipelinesOptions): { kind: ResourceKind; resource: ArmResourceJson }[] {
  const { problems, check } = problemCollector();
  check('sourceEndpoint', printable(options.sourceEndpoint), endpointProblem(options.sourceEndpoint));
  check('backupEndpoint', printable(options.backupEndpoint), endpointProblem(options.backupEndpoint));
  if (options.cosmosEndpoint !== undefined)
    check('cosmosEndpoint', printable(options.cosmosEndpoint), endpointProblem(options.cosmosEndpoint));
  if (options.mongo !== undefined) {
    check('mongo.keyVaultUrl', printable(options.mongo.keyVaultUrl), endpointProblem(options.mongo.keyVaultUrl));
    const name = options.mongo.secretName;
    check(
      'mongo.secretName',
      name,
      SECRET_NAME.test(name) ? undefined : 'must be a Key Vault secret name (1-127 letters, digits, dashes)',
    );
  }
  if (problems.length) throw new InvalidInputError(problems[0]!.field, formatProblems(problems), { problems });

  const parts = [
    DEFINITIONS.blob,
    ...(options.cosmosEndpoint !== undefined ? [DEFINITIONS.cosmos] : []),
    ...(options.mongo !== undefined ? [DEFINITIONS.mongo] : []),
  ];
  const defaults: Record<string, string | undefined> = {
    sourceEndpoint: options.sourceEndpoint,
    backupEndpoint: options.backupEndpoint,
    cosmosEndpoint: options.cosmosEndpoint,
    connectionStringSecret: options.mongo?.secretName,
  };
  const plan: { kind: ResourceKind; resource: ArmResourceJson }[] = [];
  for (const kind of ['linkedService', 'dataset', 'pipeline'] as const) {
    for (const part of parts) {
      for (const definition of part[kind]) {
        const resource = copyOf(definition);
        if (kind === 'pipeline') {
          const parameters = (resource.properties.parameters ?? {}) as Record<string, { defaultValue?: unknown }>;
          for (const [name, value] of Object.entries(defaults))
            if (parameters[name] && value !== undefined) parameters[name].defaultValue = value;
        }
        if (resource.properties.type === 'AzureKeyVault' && options.mongo) {
          (resource.properties.typeProperties as { baseUrl: string }).baseUrl = options.mongo.keyVaultUrl;
        }
        plan.push({ kind, resource });
      }
    }
  }
  return plan;
}

async function deployOne(
  target: DataFactoryTarget,
  kind: ResourceKind,
  resource: ArmResourceJson,
  options: DeployPipelinesOptions,
): Promise<DeployOutcome> {
  const { client, resourceGroup: group, factoryName: factory } = target;
  const call = <T>(what: string, fn: () => Promise<T>) =>
    armCall(`${what} of ${kind} ${resource.name}`, fn, { ...options.retry, abortSignal: options.abortSignal });
  const abortSignal = options.abortSignal;
  const api = operations(client, kind);
  const model = kindModel(kind, resource);
  const existing = await call('get', () => unlessNotFound(api.get(group, factory, resource.name, { abortSignal })));
  if (existing && holds(comparable(kind, existing), comparable(kind, model))) return 'unchanged';
  await call(existing ? 'update' : 'create', () =>
    api.createOrUpdate(group, factory, resource.name, model, {
      abortSignal,
      ...(existing?.etag ? { ifMatch: existing.etag } : {}),
    }),
  );
  return existing ? 'updated' : 'created';
}

type AnyResource = { etag?: string } & Record<string, unknown>;

/** The three resource kinds' get and createOrUpdate, under one shape. */
function operations(client: DataFactoryManagementClient, kind: ResourceKind) {
  const ops = { linkedService: client.linkedServices, dataset: client.datasets, pipeline: client.pipelines }[kind];
  return ops as unknown as {
    get(group: string, factory: string, name: string, options: { abortSignal?: AbortSignal }): Promise<AnyResource>;
    createOrUpdate(
      group: string,
      factory: string,
      name: string,
      model: unknown,
      options: { abortSignal?: AbortSignal; ifMatch?: string },
    ): Promise<AnyResource>;
  };
}

function kindModel(kind: ResourceKind, resource: ArmResourceJson): AnyResource {
  const model =
    kind === 'linkedService'
      ? linkedServiceModel(resource)
      : kind === 'dataset'
        ? datasetModel(resource)
        : pipelineModel(resource);
  return model as unknown as AnyResource;
}

/** The definition part of a resource: a linked service's or dataset's properties; a pipeline without its ARM envelope. */
function comparable(kind: ResourceKind, resource: AnyResource): unknown {
  if (kind !== 'pipeline') return resource.properties;
  const { id: _id, name: _name, type: _type, etag: _etag, ...definition } = resource;
  return definition;
}

/** An endpoint as a message may show it: never its query (a SAS) or user info (a password). */
function printable(value: unknown): string {
  try {
    const url = new URL(String(value));
    return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?…' : ''}`;
  } catch {
    return '(not a URL)';
  }
}

function endpointProblem(value: unknown): string | undefined {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.search || url.username || url.password)
    return 'must name an endpoint only, without credentials or a query (a SAS): the factory uses its managed identity';
  return undefined;
}
