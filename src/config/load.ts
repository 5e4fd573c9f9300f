// Loading the configuration: a YAML or JSON file, then environment overrides, then validation whose
// every message names the field, the value it got (secrets redacted) and what is allowed.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { scheduleProblems } from '../schedules/definition';
import { configSchema, type Config } from './schema';

/** `AZBACKUP__connections__source__accountKey=...` sets connections.source.accountKey. */
export const ENV_OVERRIDE_PREFIX = 'AZBACKUP__';
export const CONFIG_FILE_ENV = 'AZBACKUP_CONFIG';

// encryptionKey names a key, but a key pasted there by mistake must not be printed either.
const SECRET_FIELDS = new Set([
  'connectionString',
  'accountKey',
  'sasToken',
  'key',
  'token',
  'clientSecret',
  'encryptionKey',
]);

export interface ConfigProblem {
  path: string;
  /** Printable value: secrets are redacted. */
  value: string;
  message: string;
  /** Environment variable that supplied the value, when one did. */
  fromEnv?: string;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `Invalid configuration (${source}):\n` +
        problems
          .map((p) => `  - ${p.path}: ${p.message} (got ${p.value}${p.fromEnv ? ` from ${p.fromEnv}` : ''})`)
          .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Path of the file; defaults to $AZBACKUP_CONFIG, then ./azbackup.yaml. */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env[CONFIG_FILE_ENV] ?? 'azbackup.yaml';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [
      { path: '(file)', value: JSON.stringify(file), message: `cannot be read: ${(err as Error).message}` },
    ]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(file, [
      { path: '(file)', value: '(text)', message: `is not valid YAML or JSON: ${(err as Error).message}` },
    ]);
  }
  return parseConfig(raw ?? {}, { source: file, env });
}

/** Validates an already-parsed document after applying environment overrides. */
export function parseConfig(raw: unknown, options: { source?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  const source = options.source ?? '(inline)';
  const { document, origins } = applyEnvOverrides(raw, options.env ?? {});
  const result = configSchema.safeParse(document);
  // Checked here, not in the schema: zod skips cross-field checks when another part is broken.
  const schedules = scheduleConfigProblems(document, origins);
  if (result.success && schedules.length === 0) return result.data;
  const problems = result.success ? [] : result.error.issues.map((issue) => toProblem(issue, document, origins));
  throw new ConfigError(source, [...problems, ...schedules]);
}

/** Each declared schedule checked as `schedule create` checks one, against the document's connections. */
function scheduleConfigProblems(document: unknown, origins: Map<string, string>): ConfigProblem[] {
  const doc = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
  const declared = doc.schedules;
  if (typeof declared !== 'object' || declared === null || Array.isArray(declared)) return [];
  const connections = (
    typeof doc.connections === 'object' && doc.connections !== null ? doc.connections : {}
  ) as Config['connections'];
  const problems: ConfigProblem[] = [];
  for (const [id, definition] of Object.entries(declared)) {
    if (typeof definition !== 'object' || definition === null) continue; // the schema names it
    for (const p of scheduleProblems(id, definition, { connections })) {
      const path = ['schedules', id, ...(p.field === 'id' ? [] : p.field.split('.'))];
      const dotted = path.join('.');
      const value = p.field === 'id' ? JSON.stringify(id) : describeValue(path, p.value);
      problems.push({ path: dotted, value, message: p.message, fromEnv: origins.get(dotted) });
    }
  }
  return problems;
}

function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): { document: unknown; origins: Map<string, string> } {
  const origins = new Map<string, string>();
  const document: unknown = structuredClone(raw);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_OVERRIDE_PREFIX) || value === undefined) continue;
    const path = name.slice(ENV_OVERRIDE_PREFIX.length).split('__').filter(Boolean);
    if (path.length === 0 || typeof document !== 'object' || document === null) continue;
    let node = document as Record<string, unknown>;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = parseEnvValue(value);
    origins.set(path.join('.'), name);
  }
  return { document, origins };
}

/** Numbers and booleans arrive as text in the environment; everything else stays a string. */
function parseEnvValue(value: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

function toProblem(issue: z.core.$ZodIssue, document: unknown, origins: Map<string, string>): ConfigProblem {
  const path = issue.path.map(String);
  const dotted = path.join('.') || '(root)';
  // For unknown keys zod reports the parent object; name the offending keys instead.
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => [...path, k].join('.'));
    return {
      path: keys.join(', '),
      value:
        issue.keys.length === 1
          ? describeValue([...path, issue.keys[0]!], lookup(document, [...path, issue.keys[0]!]))
          : 'several',
      message: 'is not a known setting here (check its spelling and indentation)',
    };
  }
  if (issue.code === 'invalid_key') {
    return {
      path: dotted,
      value: JSON.stringify(path[path.length - 1]),
      message: issue.issues[0]?.message ?? issue.message,
    };
  }
  const raw = lookup(document, path);
  const value = describeValue(path, raw);
  // zod says "expected string, received undefined" for a missing field; a person reads "is required".
  const message =
    issue.code === 'invalid_type' && raw === undefined ? `is required (${issue.expected})` : issue.message;
  return { path: dotted, value, message, fromEnv: origins.get(dotted) };
}

function lookup(document: unknown, path: string[]): unknown {
  let node = document;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * A value as a message may show it. Secrets never: not in their own fields, and since a key can be
 * misspelled or a token pasted into the wrong field, no value inside a connection entry is shown
 * except its kind (a short word). Elsewhere (temporal, worker settings) values are shown.
 */
function describeValue(path: string[], value: unknown): string {
  if (value === undefined) return 'nothing';
  const field = path[path.length - 1];
  // The whole section: a connection string set where an entry (or the section) belongs is a secret too.
  const inConnection = path[0] === 'connections';
  const secret = (field !== undefined && SECRET_FIELDS.has(field)) || inConnection;
  if (secret && !(field === 'kind' && typeof value === 'string' && /^[a-z]{1,16}$/.test(value))) {
    if (typeof value === 'string') return `<secret, ${value.length} characters>`;
    if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'a list' : 'an object';
    return `<secret ${typeof value}>`;
  }
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'a list' : 'an object';
  return JSON.stringify(value);
}
