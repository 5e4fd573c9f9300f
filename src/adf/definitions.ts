// azbackup's Data Factory resources, from adf/ (JSON as ARM takes them and as ADF's Git integration stores
// them: `{ name, properties: { type, typeProperties, … } }`), and their @azure/arm-datafactory models. The SDK
// models an ARM resource with `typeProperties` flattened into the object (wire `typeProperties.serviceEndpoint`
// is model `serviceEndpoint`, for every type adf/ uses) and serializes them back, so a definition goes:
// JSON file -> model -> SDK -> the same JSON on the wire (test/integration/adf-deploy.test.ts reads it back).
import type { DatasetResource, LinkedServiceResource, PipelineResource } from '@azure/arm-datafactory';
import binaryDataset from '../../adf/dataset/azbackup-binary.json';
import cosmosCollectionDataset from '../../adf/dataset/azbackup-cosmos-collection.json';
import jsonDataset from '../../adf/dataset/azbackup-json.json';
import mongoCollectionDataset from '../../adf/dataset/azbackup-mongo-collection.json';
import blobLinkedService from '../../adf/linkedService/azbackup-blob.json';
import cosmosLinkedService from '../../adf/linkedService/azbackup-cosmos.json';
import keyVaultLinkedService from '../../adf/linkedService/azbackup-keyvault.json';
import mongoLinkedService from '../../adf/linkedService/azbackup-mongo.json';
import copyBlobsPipeline from '../../adf/pipeline/azbackup-copy-blobs.json';
import copyPrefixPipeline from '../../adf/pipeline/azbackup-copy-prefix.json';
import cosmosWindowPipeline from '../../adf/pipeline/azbackup-cosmos-window.json';
import mongoWindowPipeline from '../../adf/pipeline/azbackup-mongo-window.json';

/** One resource as ARM takes it (a file in adf/). */
export interface ArmResourceJson {
  name: string;
  properties: Record<string, unknown>;
}

export type ResourceKind = 'linkedService' | 'dataset' | 'pipeline';

/** What a part of the mover needs deployed: the blob copies always; Cosmos and Mongo exports when asked. */
export const DEFINITIONS = {
  blob: {
    linkedService: [blobLinkedService],
    dataset: [binaryDataset, jsonDataset],
    pipeline: [copyBlobsPipeline, copyPrefixPipeline],
  },
  cosmos: {
    linkedService: [cosmosLinkedService],
    dataset: [cosmosCollectionDataset],
    pipeline: [cosmosWindowPipeline],
  },
  mongo: {
    linkedService: [keyVaultLinkedService, mongoLinkedService],
    dataset: [mongoCollectionDataset],
    pipeline: [mongoWindowPipeline],
  },
} satisfies Record<string, Record<ResourceKind, ArmResourceJson[]>>;

/** A deep copy of a definition, to change settings in without touching the imported JSON. */
export function copyOf(resource: ArmResourceJson): ArmResourceJson {
  return JSON.parse(JSON.stringify(resource)) as ArmResourceJson;
}

/** Lists of activities inside an activity (ForEach, IfCondition, Switch, Until). */
const NESTED_ACTIVITY_LISTS = ['activities', 'ifTrueActivities', 'ifFalseActivities', 'defaultActivities'];

/** An ARM object with `typeProperties` as the SDK models it: those properties beside the others. */
function flattened(node: Record<string, unknown>): Record<string, unknown> {
  const { typeProperties, ...rest } = node;
  const model: Record<string, unknown> = { ...rest, ...(typeProperties as Record<string, unknown> | undefined) };
  for (const key of NESTED_ACTIVITY_LISTS) {
    if (Array.isArray(model[key])) model[key] = (model[key] as Record<string, unknown>[]).map(flattened);
  }
  if (Array.isArray(model.cases)) {
    model.cases = (model.cases as { value: unknown; activities?: Record<string, unknown>[] }[]).map((c) => ({
      ...c,
      activities: (c.activities ?? []).map(flattened),
    }));
  }
  return model;
}

export function linkedServiceModel(resource: ArmResourceJson): LinkedServiceResource {
  return { properties: flattened(resource.properties) as unknown as LinkedServiceResource['properties'] };
}

export function datasetModel(resource: ArmResourceJson): DatasetResource {
  return { properties: flattened(resource.properties) as unknown as DatasetResource['properties'] };
}

export function pipelineModel(resource: ArmResourceJson): PipelineResource {
  const { activities, ...rest } = resource.properties;
  return {
    ...rest,
    activities: ((activities ?? []) as Record<string, unknown>[]).map(flattened),
  } as PipelineResource;
}

/**
 * Whether what the factory holds is what we would deploy: every property we set has the same value there,
 * and anything else there is empty (ADF fills in `userProperties: []`, `annotations: []` and the like).
 * Key order does not matter; array order does.
 */
export function holds(actual: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(actual) && actual.length === desired.length && desired.every((d, i) => holds(actual[i], d));
  }
  if (isRecord(desired)) {
    if (!isRecord(actual)) return false;
    for (const [key, value] of Object.entries(desired)) {
      if (value === undefined) continue;
      if (!holds(actual[key], value)) return false;
    }
    return Object.entries(actual).every(([key, value]) => desired[key] !== undefined || isEmpty(value));
  }
  return actual === desired;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.values(value).every(isEmpty);
}
