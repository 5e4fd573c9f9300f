// `azbackup status <workflow-id> [--watch] [--json]`: where any azbackup workflow stands. Running backups
// and restores show a bar that moves inside pages, throughput and an ETA; triggers their pending
// requests; closed runs their outcome. --watch redraws until the run closes. Exit code: 0 done (or
// still running), 3 completed but not verified, 1 failed, cancelled, terminated or timed out.
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { parseArgs } from 'node:util';
import { describePending } from '../domain/backup-request';
import { progressQuery, type BackupProgress } from '../workflows/backup-container';
import { triggerStateQuery, type BackupTriggerState } from '../workflows/backup-trigger';
import { restoreProgressQuery, type RestoreProgress } from '../workflows/restore-container';
import { optionalInteger, UsageError } from './cli-options';
import {
  formatPace,
  pagesDoneWithInFlight,
  pagesInFlight,
  paceOf,
  type PageInFlight,
  type Pace,
} from './live-progress';
import { emit } from './output';
import { ProgressLine } from './progress-bar';
import { formatProgress, formatRestoreProgress } from './progress-command';
import { withClient } from './temporal-client';

export type LiveState =
  | { kind: 'backup'; progress: BackupProgress; inFlight: PageInFlight[]; pace: Pace }
  | { kind: 'restore'; progress: RestoreProgress; inFlight: PageInFlight[]; pace: Pace }
  | { kind: 'trigger'; state: BackupTriggerState };

/** The live state of a running workflow of a kind that has one; undefined for other kinds. */
export async function readLive(client: Client, workflowId: string, type: string): Promise<LiveState | undefined> {
  if (type === 'backupContainer' || type === 'reconcileContainer') {
    // A reconcile is a backup run as its child: the child answers.
    const id = type === 'reconcileContainer' ? `${workflowId}/reconcile` : workflowId;
    const [progress, inFlight] = await Promise.all([
      client.workflow.getHandle(id).query(progressQuery),
      pagesInFlight(client.workflow, id).catch(() => []),
    ]);
    const items = progress.copied + progress.skipped + progress.failed + progress.unchanged;
    return {
      kind: 'backup',
      progress,
      inFlight,
      pace: pace(progress, inFlight, items, progress.bytesCopied, progress.pagesListed, progress.listingDone),
    };
  }
  if (type === 'restoreContainer') {
    const [progress, inFlight] = await Promise.all([
      client.workflow.getHandle(workflowId).query(restoreProgressQuery),
      pagesInFlight(client.workflow, workflowId).catch(() => []),
    ]);
    const items = progress.restored + progress.skipped + progress.failed;
    return {
      kind: 'restore',
      progress,
      inFlight,
      pace: pace(progress, inFlight, items, progress.bytesRestored, progress.pages, progress.phase !== 'planning'),
    };
  }
  if (type === 'backupTrigger')
    return { kind: 'trigger', state: await client.workflow.getHandle(workflowId).query(triggerStateQuery) };
  return undefined;
}

function pace(
  p: { elapsedMs: number; pagesDone: number },
  inFlight: PageInFlight[],
  items: number,
  bytes: number,
  totalPages: number,
  totalKnown: boolean,
): Pace {
  return paceOf({
    elapsedMs: p.elapsedMs,
    items: items + inFlight.reduce((n, f) => n + f.finished, 0),
    bytes: bytes + inFlight.reduce((n, f) => n + f.bytesCopied, 0),
    done: pagesDoneWithInFlight(p.pagesDone, inFlight),
    total: totalPages,
    totalKnown,
  });
}

export function formatLive(live: LiveState): string {
  if (live.kind === 'trigger') {
    const s = live.state;
    const running = s.running ? `running ${s.running.workflowId} (${describePending(s.running.covered)})` : 'idle';
    return `${running}; pending: ${s.pending.count ? describePending(s.pending) : 'none'}; ${s.runs.length} run(s) so far`;
  }
  const line =
    live.kind === 'backup'
      ? formatProgress(live.progress, live.inFlight)
      : formatRestoreProgress(live.progress, live.inFlight);
  return `${line} | ${formatPace(live.pace)}`;
}

export async function runStatusCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      watch: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'interval-seconds': { type: 'string' },
    },
  });
  const [workflowId] = positionals;
  if (!workflowId || positionals.length > 1) throw new UsageError('give one workflow id');
  const intervalMs = (optionalInteger(values, 'interval-seconds') ?? 2) * 1000;
  if (intervalMs <= 0) throw new UsageError('--interval-seconds must be at least 1');
  return withClient(async (client) => {
    const handle = client.workflow.getHandle(workflowId);
    let description = await handle.describe();
    const line = new ProgressLine();
    if (values.watch && !values.json) {
      while (description.status.name === 'RUNNING') {
        const live = await readLive(client, workflowId, description.type).catch(() => undefined);
        line.update(live ? formatLive(live) : `${description.type} running`);
        await new Promise((r) => setTimeout(r, intervalMs));
        description = await handle.describe();
      }
      line.finish();
    }
    const status = description.status.name;
    const base = {
      workflowId,
      type: description.type,
      status,
      startTime: description.startTime.toISOString(),
      ...(description.closeTime ? { closeTime: description.closeTime.toISOString() } : {}),
    };
    if (status === 'RUNNING') {
      const live = await readLive(client, workflowId, description.type).catch(() => undefined);
      if (values.json) console.log(JSON.stringify({ ...base, ...(live ?? {}) }));
      else {
        console.log(`${workflowId}: ${description.type} running since ${base.startTime}`);
        if (live) console.log(formatLive(live));
      }
      return 0;
    }
    let result: unknown;
    let failure: string | undefined;
    try {
      result = status === 'COMPLETED' || status === 'CONTINUED_AS_NEW' ? await handle.result() : undefined;
    } catch (err) {
      failure = err instanceof WorkflowFailedError ? rootCause(err) : (err as Error).message;
    }
    const verified = (result as { verified?: unknown } | undefined)?.verified;
    if (values.json)
      console.log(
        JSON.stringify({ ...base, ...(result !== undefined ? { result } : {}), ...(failure ? { failure } : {}) }),
      );
    else {
      console.log(`${workflowId}: ${description.type} ${status.toLowerCase()} at ${base.closeTime ?? '?'}`);
      if (result !== undefined) console.log(`Result: ${summarize(result)}`);
      if (failure) console.log(`Failure: ${failure}`);
    }
    if (status !== 'COMPLETED') return 1;
    return verified === false ? 3 : 0;
  });
}

function rootCause(err: Error): string {
  let current: unknown = err.cause ?? err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/** The scalar fields of a result on one line (counts, verified, run key, manifest). */
function summarize(result: unknown): string {
  if (typeof result !== 'object' || result === null) return JSON.stringify(result);
  return Object.entries(result)
    .filter(([, v]) => ['number', 'string', 'boolean'].includes(typeof v))
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}

/** `azbackup progress <workflow-id>`: one reading of a running backup's or restore's progress. */
export async function runProgressCommand(args: string[]): Promise<number> {
  const [workflowId, ...extra] = args;
  if (!workflowId || extra.length) throw new UsageError('give one workflow id: azbackup progress <workflow-id>');
  return withClient(async (client) => {
    const { type } = await client.workflow.getHandle(workflowId).describe();
    const live = await readLive(client, workflowId, type);
    if (!live || live.kind === 'trigger') {
      console.error(
        `azbackup progress: ${workflowId} is a ${type}, which has no progress query\n` +
          `hint: azbackup status ${workflowId} shows where any workflow stands`,
      );
      return 2;
    }
    emit({ workflowId, type, ...live }, () => formatLive(live));
    return 0;
  });
}
