// `azbackup adf deploy`: create or update azbackup's linked services, datasets and pipelines in a Data
// Factory (adf/), pointed at the accounts of the named connections: their endpoints only, never their keys
// (the factory uses its managed identity; a Mongo connection string is read from Key Vault). Run it again
// at any time: what is already deployed is left alone. Talks to ARM directly, no workflow.
import { parseArgs } from 'node:util';
import { deployPipelines } from '../adf/deploy';
import { deploySettings, type AdfDeployConnections } from '../adf/deploy-settings';
import { loadConfig } from '../config/load';
import { ConnectionRegistry } from '../storage/connections';
import { optionalString, requiredString, UsageError } from './cli-options';

/** The flag that gave each input field, for messages. */
const FLAGS: Record<string, string> = {
  adf: '--adf',
  source: '--source',
  backup: '--backup',
  cosmos: '--cosmos',
  'mongo.connection': '--mongo',
};

export async function runAdfCommand(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'deploy')
    throw new UsageError(`unknown adf command ${JSON.stringify(subcommand ?? '')}: use adf deploy`);
  const { values } = parseArgs({
    args: rest,
    options: {
      adf: { type: 'string' },
      source: { type: 'string' },
      backup: { type: 'string' },
      cosmos: { type: 'string' },
      mongo: { type: 'string' },
      'key-vault': { type: 'string' },
      'mongo-secret': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const adf = requiredString(values, 'adf');
  const mongo = optionalString(values, 'mongo');
  const keyVaultUrl = optionalString(values, 'key-vault');
  const secretName = optionalString(values, 'mongo-secret');
  if (mongo && !keyVaultUrl)
    throw new UsageError(
      '--mongo needs --key-vault <url>: the factory reads the Mongo connection string from Key Vault',
    );
  if (!mongo && (keyVaultUrl || secretName)) throw new UsageError('--key-vault and --mongo-secret go with --mongo');
  const names: AdfDeployConnections = {
    source: requiredString(values, 'source'),
    backup: requiredString(values, 'backup'),
    ...(optionalString(values, 'cosmos') ? { cosmos: optionalString(values, 'cosmos') } : {}),
    ...(mongo
      ? { mongo: { connection: mongo, keyVaultUrl: keyVaultUrl!, ...(secretName ? { secretName } : {}) } }
      : {}),
  };
  const config = loadConfig();
  const connections = new ConnectionRegistry(config.connections);
  try {
    const asFlag = <T>(field: string, resolve: () => T): T => {
      try {
        return resolve();
      } catch (err) {
        throw new UsageError(`${FLAGS[field] ?? field}: ${(err as Error).message}`);
      }
    };
    const target = asFlag('adf', () => connections.dataFactory(adf));
    const settings = deploySettings(connections, names, asFlag);
    const result = await deployPipelines(target, {
      ...settings,
      onProgress: values.json
        ? undefined
        : (r) => console.log(`${r.outcome.padEnd(9)}  ${r.kind.padEnd(13)}  ${r.name}`),
    });
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else
      console.log(
        `Factory ${target.factoryName}: ${result.created} created, ${result.updated} updated, ${result.unchanged} ` +
          `unchanged. Pipelines: ${result.pipelines.join(', ')}.`,
      );
    return 0;
  } finally {
    connections.close();
  }
}
