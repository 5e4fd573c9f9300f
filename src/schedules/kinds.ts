// What a schedule can start: one row per kind, naming the workflow, how its input is checked (the same
// checks the workflow makes, so a bad schedule is refused when created, not at its first run), which
// connections it refers to, and how its action is described in the Temporal UI (summary and details).
import type { NameRefs } from '../config/connection-refs';
import { backupContainerInputProblems, reconcileInputProblems } from '../domain/backup-input';
import { drillInputProblems } from '../domain/drill-input';
import { documentBackupProblems } from '../domain/export-input';
import { fieldsOf, type InputProblem } from '../domain/input-problems';
import { retentionInputProblems } from '../domain/retention-input';
import { scrubInputProblems } from '../domain/scrub-input';
import { DEFAULT_BACKUP_CONTAINER } from '../domain/defaults';

type Input = Record<string, unknown>;

export interface ScheduleKindSpec {
  /** The registered workflow the schedule starts. */
  workflowType: string;
  problems(input: unknown, nowMs: number): InputProblem[];
  /** Connections (and their kind) and containers the input names, by input field. */
  refs(input: Input): NameRefs;
  /** One line for the UI's summary: what, from where, to where. */
  summary(input: Input): string;
  /** Rows of the markdown details: source, target, mode. */
  details(input: Input): { source: string; target: string; mode: string };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const backupTarget = (i: Input) => `${str(i.backup)} / ${str(i.backupContainer) ?? DEFAULT_BACKUP_CONTAINER}`;
const catalogSource = (i: Input) => {
  const s = fieldsOf(i.source);
  return `${str(s.account)}/${str(s.container)}${str(s.prefix) ? `/${str(s.prefix)}` : ''}`;
};
const blobSource = (i: Input) => `${str(i.source)}/${str(i.container)}${str(i.prefix) ? `/${str(i.prefix)}` : ''}`;
const catalogRefs = (i: Input): NameRefs => ({
  connections: { 'input.backup': str(i.backup) },
  containers: { 'input.backupContainer': str(i.backupContainer) },
});

function documentKind(api: 'cosmos' | 'mongo'): ScheduleKindSpec {
  const part = api === 'cosmos' ? 'container' : 'collection';
  const kind = api === 'cosmos' ? ('cosmos-sql' as const) : ('mongo' as const);
  const source = (i: Input) => `${str(i[api])}/${str(i.database)}/${str(i[part])}`;
  return {
    workflowType: api === 'cosmos' ? 'backupCosmosContainer' : 'backupMongoCollection',
    problems(input, nowMs) {
      const problems = documentBackupProblems(
        input,
        { connection: api, container: part },
        { kind, nowMs, continuedAsNew: false },
      );
      // A fixed range would export the same window on every run: a schedule follows the clock.
      for (const field of ['from', 'to'])
        if (fieldsOf(input)[field] !== undefined)
          problems.push({
            field,
            value: fieldsOf(input)[field],
            message: 'is not allowed in a schedule: each run continues from the last committed export',
          });
      return problems;
    },
    refs: (i) => ({
      connections: {
        [`input.${api}`]: { name: str(i[api]), kind: api },
        'input.backup': str(i.backup),
        'input.target.connection': i.target ? { name: str(fieldsOf(i.target).connection), kind: api } : undefined,
      },
      containers: { 'input.backupContainer': str(i.backupContainer) },
    }),
    summary: (i) =>
      i.mode === 'replica'
        ? `Replicate ${source(i)} to ${str(fieldsOf(i.target).connection)}/${str(fieldsOf(i.target).database)}/${str(fieldsOf(i.target).container)}`
        : `Export ${source(i)} to ${str(i.backup) ?? 'the default backup'}`,
    details: (i) => ({
      source: `${api === 'cosmos' ? 'Cosmos DB' : 'Cosmos DB for MongoDB'} ${source(i)}`,
      target:
        i.mode === 'replica'
          ? `${str(fieldsOf(i.target).connection)}/${str(fieldsOf(i.target).database)}/${str(fieldsOf(i.target).container)}`
          : backupTarget(i),
      mode: `${str(i.mode) ?? 'export'} (windows of ${String(i.windowSeconds ?? 'the default')} s${i.encryptionKey ? ', encrypted' : ''})`,
    }),
  };
}

const blobRefs = (i: Input): NameRefs => ({
  connections: { 'input.source': str(i.source), 'input.backup': str(i.backup) },
  containers: { 'input.container': str(i.container), 'input.backupContainer': str(i.backupContainer) },
});

export const SCHEDULE_KINDS = {
  backup: {
    workflowType: 'backupContainer',
    problems: (input) => backupContainerInputProblems(input),
    refs: blobRefs,
    summary: (i) => `Back up ${blobSource(i)} to ${str(i.backup)}`,
    details: (i) => ({
      source: `blob ${blobSource(i)}`,
      target: backupTarget(i),
      mode: `${str(i.mode) ?? 'incremental'}, verify ${str(i.verify) ?? 'md5'}${i.leaseMode ? ', lease mode' : ''}`,
    }),
  },
  reconcile: {
    workflowType: 'reconcileContainer',
    problems: (input) => reconcileInputProblems(input),
    refs: blobRefs,
    summary: (i) => `Reconcile ${blobSource(i)} with ${str(i.backup)}`,
    details: (i) => ({
      source: `blob ${blobSource(i)}`,
      target: backupTarget(i),
      mode: `reconcile, verify ${str(i.verify) ?? 'md5'}`,
    }),
  },
  retention: {
    workflowType: 'applyRetention',
    problems: (input) => retentionInputProblems(input),
    refs: (i) => {
      const refs = catalogRefs(i);
      refs.connections!['input.sourceSnapshots.source'] = str(fieldsOf(i.sourceSnapshots).source);
      return refs;
    },
    summary: (i) => `Apply retention to the backups of ${catalogSource(i)}${i.dryRun ? ' (dry run)' : ''}`,
    details: (i) => ({
      source: `backups of ${catalogSource(i)}`,
      target: backupTarget(i),
      mode: `retention ${JSON.stringify(i.policy)}${i.dryRun ? ', dry run' : ''}`,
    }),
  },
  drill: {
    workflowType: 'restoreDrill',
    problems: (input) => drillInputProblems(input),
    refs: (i) => {
      const refs = catalogRefs(i);
      refs.connections!['input.liveSource'] = str(i.liveSource);
      return refs;
    },
    summary: (i) => `Restore drill of the latest backup of ${catalogSource(i)}`,
    details: (i) => ({
      source: `latest backup of ${catalogSource(i)} in ${backupTarget(i)}`,
      target: 'a scratch container, removed after the comparison',
      mode: `drill, sample ${JSON.stringify(i.sample ?? {})}`,
    }),
  },
  scrub: {
    workflowType: 'scrubBackup',
    problems: (input) => scrubInputProblems(input, { continuedAsNew: false }),
    refs: (i) => catalogRefs(i),
    summary: (i) => `Scrub the backup of ${catalogSource(i)}`,
    details: (i) => ({
      source: `backup of ${catalogSource(i)}`,
      target: backupTarget(i),
      mode: `scrub (re-read and hash every copy of ${str(i.run) ?? 'the latest verified run'})`,
    }),
  },
  cosmos: documentKind('cosmos'),
  mongo: documentKind('mongo'),
} satisfies Record<string, ScheduleKindSpec>;

export type ScheduleKind = keyof typeof SCHEDULE_KINDS;
export const SCHEDULE_KIND_NAMES = Object.keys(SCHEDULE_KINDS) as ScheduleKind[];

export function isScheduleKind(value: unknown): value is ScheduleKind {
  return typeof value === 'string' && Object.hasOwn(SCHEDULE_KINDS, value);
}
