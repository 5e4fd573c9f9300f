// Deployed factory resources of the stand-in: linked services, datasets and pipelines, stored as ARM gets
// them (PUT body `properties`) and answered as ARM does (id, name, type, properties, etag). A PUT that names a
// linked service or dataset the factory does not have is refused like ADF refuses it, so a deploy that creates
// things in the wrong order fails here too; `If-Match` with another etag is refused with 412.
import { randomUUID } from 'node:crypto';
import { ArmError } from './arm-error';

export const RESOURCE_KINDS = {
  linkedservices: { type: 'Microsoft.DataFactory/factories/linkedservices', label: 'Linked service' },
  datasets: { type: 'Microsoft.DataFactory/factories/datasets', label: 'Dataset' },
  pipelines: { type: 'Microsoft.DataFactory/factories/pipelines', label: 'Pipeline' },
} as const;
export type ResourceKind = keyof typeof RESOURCE_KINDS;

export interface StoredResource {
  id: string;
  name: string;
  type: string;
  properties: Record<string, unknown>;
  etag: string;
}

const REFERENCE_KINDS: Record<string, ResourceKind> = {
  LinkedServiceReference: 'linkedservices',
  DatasetReference: 'datasets',
  PipelineReference: 'pipelines',
};

export class FactoryResources {
  private readonly items = new Map<string, StoredResource>();

  get(factory: string, kind: ResourceKind, name: string): StoredResource | undefined {
    return this.items.get(key(factory, kind, name));
  }

  put(
    factory: string,
    kind: ResourceKind,
    name: string,
    id: string,
    body: unknown,
    ifMatch: string | undefined,
  ): StoredResource {
    const properties = (body as { properties?: unknown } | undefined)?.properties;
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
      throw new ArmError(
        400,
        'BadRequest',
        `The request body must be a ${RESOURCE_KINDS[kind].label.toLowerCase()} resource with properties.`,
      );
    }
    const existing = this.get(factory, kind, name);
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== existing?.etag) {
      throw new ArmError(
        412,
        'PreconditionFailed',
        `${RESOURCE_KINDS[kind].label} '${name}' has etag ${existing?.etag ?? '(none: it does not exist)'}, not ${ifMatch}.`,
      );
    }
    if (kind !== 'pipelines' && typeof (properties as { type?: unknown }).type !== 'string') {
      throw new ArmError(400, 'BadRequest', `The ${RESOURCE_KINDS[kind].label.toLowerCase()} '${name}' has no type.`);
    }
    for (const [refKind, refName] of references(properties)) {
      if (!(refKind === kind && refName.toLowerCase() === name.toLowerCase()) && !this.get(factory, refKind, refName))
        throw new ArmError(
          400,
          'BadRequest',
          `The document creation or update failed because of invalid reference '${refName}'.`,
        );
    }
    const resource: StoredResource = {
      id,
      name,
      type: RESOURCE_KINDS[kind].type,
      properties: properties as Record<string, unknown>,
      etag: `"${randomUUID()}"`,
    };
    this.items.set(key(factory, kind, name), resource);
    return resource;
  }

  delete(factory: string, kind: ResourceKind, name: string): boolean {
    return this.items.delete(key(factory, kind, name));
  }
}

/** Every `{ referenceName, type: '…Reference' }` anywhere in a resource's properties. */
function references(value: unknown, found: [ResourceKind, string][] = []): [ResourceKind, string][] {
  if (Array.isArray(value)) for (const v of value) references(v, found);
  else if (typeof value === 'object' && value !== null) {
    const { type, referenceName } = value as { type?: unknown; referenceName?: unknown };
    if (typeof type === 'string' && REFERENCE_KINDS[type] && typeof referenceName === 'string')
      found.push([REFERENCE_KINDS[type]!, referenceName]);
    for (const v of Object.values(value)) references(v, found);
  }
  return found;
}

function key(factory: string, kind: ResourceKind, name: string): string {
  return `${factory.toLowerCase()}/${kind}/${name.toLowerCase()}`;
}
