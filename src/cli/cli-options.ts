// Option parsing shared by the CLI commands: strict numbers and the catalog location (which backup
// account and container, and which backed-up source), with errors that name the flag.
import { ConnectionRegistry } from '../storage/connections';
import type { CatalogLocation } from '../catalog/queries';
import type { Config } from '../config/schema';
import { containerNameProblem } from '../domain/blob-names';
import { DEFAULT_BACKUP_CONTAINER } from '../domain/defaults';
import { accountNameProblem } from '../domain/restore-input';

/** A usage mistake: main prints it with the usage text and exits 2. */
export class UsageError extends Error {}

export const catalogLocationOptions = {
  backup: { type: 'string' },
  'backup-container': { type: 'string' },
  source: { type: 'string' },
  account: { type: 'string' },
  container: { type: 'string' },
  'source-prefix': { type: 'string' },
} as const;

export const startOptions = {
  'workflow-id': { type: 'string' },
  'task-queue': { type: 'string' },
  wait: { type: 'boolean', default: false },
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;

/**
 * The backed-up source as the catalog names it: `--account` directly, or the account behind the
 * connection `--source` names (resolved from the config, never sent anywhere).
 */
export function catalogLocation(values: Values, config: Config): CatalogLocation & { sourceConnection?: string } {
  const backup = requiredString(values, 'backup');
  const container = requiredString(values, 'container');
  const sourceConnection = optionalString(values, 'source');
  let account = optionalString(values, 'account');
  if (!account && !sourceConnection) throw new UsageError('give --source <connection> or --account <storage account>');
  if (sourceConnection) {
    let resolved: string;
    try {
      resolved = new ConnectionRegistry(config.connections).blob(sourceConnection).accountName;
    } catch (err) {
      throw new UsageError(`--source: ${(err as Error).message}`);
    }
    if (account && account !== resolved)
      throw new UsageError(`--account ${account} is not the account of --source ${sourceConnection} (${resolved})`);
    account = resolved;
  }
  const prefix = optionalString(values, 'source-prefix');
  const backupContainer = optionalString(values, 'backup-container') ?? DEFAULT_BACKUP_CONTAINER;
  // Every name checked here, before anything reads a catalog or starts a workflow.
  const kind = config.connections[backup]?.kind;
  if (kind !== 'blob') {
    const problem = kind
      ? `is a ${kind} connection; this needs a blob connection`
      : `is not a connection of this config (it defines: ${Object.keys(config.connections).join(', ')})`;
    throw new UsageError(`--backup ${problem} (got ${JSON.stringify(backup)})`);
  }
  for (const [flag, name] of [
    ['--container', container],
    ['--backup-container', backupContainer],
  ] as const) {
    const problem = containerNameProblem(name);
    if (problem) throw new UsageError(`${flag} ${problem} (got ${JSON.stringify(name)})`);
  }
  const accountProblem = accountNameProblem(account);
  if (accountProblem) throw new UsageError(`--account ${accountProblem} (got ${JSON.stringify(account)})`);
  return {
    backup,
    backupContainer,
    source: { account: account!, container, ...(prefix ? { prefix } : {}) },
    ...(sourceConnection ? { sourceConnection } : {}),
  };
}

export function requiredString(values: Values, flag: string): string {
  const v = optionalString(values, flag);
  if (!v) throw new UsageError(`missing --${flag}`);
  return v;
}

export function optionalString(values: Values, flag: string): string | undefined {
  const v = values[flag];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A whole number flag; range checks are the workflow's, which names the input field. */
export function optionalInteger(values: Values, flag: string): number | undefined {
  const v = optionalString(values, flag);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${flag} must be a whole number (got ${JSON.stringify(v)})`);
  return Number(v);
}

export function optionalNumber(values: Values, flag: string): number | undefined {
  const v = optionalString(values, flag);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} must be a number (got ${JSON.stringify(v)})`);
  return n;
}

export function oneOf<T extends string>(values: Values, flag: string, allowed: readonly T[]): T | undefined {
  const v = optionalString(values, flag);
  if (v !== undefined && !allowed.includes(v as T))
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
  return v as T | undefined;
}
