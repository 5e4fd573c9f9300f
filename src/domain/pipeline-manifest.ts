// What the catalog records of a backup pipeline run (a source through filters into a store), and the
// checks on a pipeline workflow's input that need no I/O. Plugins check their own options in the worker.
import type { RetentionPolicy } from './retention-policy';
import { intRangeProblem, objectProblem, problemCollector, type InputProblem } from './input-problems';
import { retentionInputProblems } from './retention-input';

export const PIPELINE_MANIFEST_FORMAT = 1;

/** A plugin spec: its kind and its options (secrets are never options: keys and connections are names). */
export interface PluginSpec {
  kind: string;
  [option: string]: unknown;
}

export interface PipelineDigest {
  bytes: number;
  sha256: string;
}

export interface PipelineManifest {
  format: typeof PIPELINE_MANIFEST_FORMAT;
  name: string;
  runKey: string;
  workflowId: string;
  /** The specs as given. */
  source: PluginSpec;
  filters: PluginSpec[];
  sink: PluginSpec;
  /** `tar` (a directory) or `bytes`: what a restore target must accept. */
  streamFormat: 'tar' | 'bytes';
  /** What the source said of what it read (file counts, a command's exit code). */
  sourceDetails: Record<string, unknown>;
  /** The filter chain's catalog descriptions, in order (gzip level, AES-256-GCM key id and format). */
  filterDescriptions: unknown[];
  /** The key's name when encrypted (its id inside the object); never the key. */
  encryptionKey?: string;
  object: string;
  /** What the source gave, and what was stored. */
  plain: PipelineDigest;
  stored: PipelineDigest;
  startedAt: string;
  finishedAt: string;
}

export interface PipelineBackupInput {
  /** Names the backup set: lowercase letters, digits and dashes. Its runs are listed and retained together. */
  name: string;
  source: PluginSpec;
  /** Applied in order, e.g. `[{ kind: 'gzip' }, { kind: 'aes-256-gcm', key: 'prod' }]`. */
  filters?: PluginSpec[];
  sink: PluginSpec;
  /** Attempts of the whole stream (default 3): each attempt starts it again from the beginning. */
  maxAttempts?: number;
}

export interface PipelineRestoreInput {
  name: string;
  /** Where the backups are: the backup's `sink` spec. */
  sink: PluginSpec;
  /** Default: the newest committed run. */
  runKey?: string;
  target: PluginSpec;
  maxAttempts?: number;
}

export interface PipelineRetentionInput {
  name: string;
  sink: PluginSpec;
  policy: RetentionPolicy;
  dryRun?: boolean;
}

export const PIPELINE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function specProblem(value: unknown, required: boolean): string | undefined {
  return (
    objectProblem(value, required) ??
    (value !== undefined && typeof (value as PluginSpec).kind !== 'string'
      ? "needs a 'kind' (a plugin name)"
      : undefined)
  );
}

function nameProblem(value: unknown): string | undefined {
  return typeof value === 'string' && PIPELINE_NAME.test(value)
    ? undefined
    : 'is required: 1 to 63 lowercase letters, digits and dashes';
}

export function pipelineBackupProblems(input: Partial<Record<keyof PipelineBackupInput, unknown>>): InputProblem[] {
  const { problems, check } = problemCollector();
  check('name', input.name, nameProblem(input.name));
  check('source', input.source, specProblem(input.source, true));
  check('sink', input.sink, specProblem(input.sink, true));
  if (input.filters !== undefined && !Array.isArray(input.filters)) check('filters', input.filters, 'must be a list');
  else (input.filters ?? []).forEach((f, i) => check(`filters.${i}`, f, specProblem(f, true)));
  check('maxAttempts', input.maxAttempts, intRangeProblem(input.maxAttempts, 1, 10));
  return problems;
}

export function pipelineRestoreProblems(input: Partial<Record<keyof PipelineRestoreInput, unknown>>): InputProblem[] {
  const { problems, check } = problemCollector();
  check('name', input.name, nameProblem(input.name));
  check('sink', input.sink, specProblem(input.sink, true));
  check('target', input.target, specProblem(input.target, true));
  if (input.runKey !== undefined && typeof input.runKey !== 'string')
    check('runKey', input.runKey, 'must be a run key');
  check('maxAttempts', input.maxAttempts, intRangeProblem(input.maxAttempts, 1, 10));
  return problems;
}

export function pipelineRetentionProblems(
  input: Partial<Record<keyof PipelineRetentionInput, unknown>>,
): InputProblem[] {
  const { problems, check } = problemCollector();
  check('name', input.name, nameProblem(input.name));
  check('sink', input.sink, specProblem(input.sink, true));
  // The blob retention's policy rules, the same for pipeline runs (its other fields are not ours).
  const policy = retentionInputProblems({
    backup: 'pipeline',
    source: { account: 'pipeline', container: 'pipeline' },
    policy: input.policy,
  });
  return [...problems, ...policy.filter((p) => p.field === 'policy' || p.field.startsWith('policy.'))];
}
