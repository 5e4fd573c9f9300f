// Retention for pipeline runs, by the same policy rules as blob backups (domain/retention-policy.ts,
// restic's `forget`): the policy decides, and the newest run stays whatever it says. A forgotten run's
// manifest goes first, then its object: a crash in between leaves an object no run lists, never a run
// whose object is gone.
import { applyRetentionPolicy, type RetentionDecision } from '../domain/retention-policy';
import type { PipelineRetentionInput } from '../domain/pipeline-manifest';
import { pipelinePaths } from '../domain/catalog-layout';
import { resolvePlugin, SINKS, type PluginContext } from './plugins';
import { pipelineManifests } from './run-restore';

export interface PipelineRetentionResult {
  keep: RetentionDecision['keep'];
  /** Run keys forgotten (or that would be, in a dry run). */
  removed: string[];
  bytesRemoved: number;
  dryRun: boolean;
}

export async function runPipelineRetention(
  input: PipelineRetentionInput,
  ctx: PluginContext,
  onProgress: () => void,
): Promise<PipelineRetentionResult> {
  const sink = resolvePlugin(SINKS, input.sink, 'sink', 'sink');
  await sink.plugin.check(sink.options, 'sink', ctx);
  const store = sink.plugin.open(sink.options, ctx);
  const manifests = await pipelineManifests(store, input.name);
  const decision = applyRetentionPolicy(
    manifests.map((m) => ({ key: m.runKey, time: m.startedAt })),
    input.policy,
  );
  const newest = manifests.at(-1)?.runKey;
  const keep = decision.keep;
  if (newest && decision.remove.includes(newest)) keep.unshift({ key: newest, reasons: ['newest run'] });
  const removed = decision.remove.filter((k) => k !== newest);
  let bytesRemoved = 0;
  for (const key of removed) {
    const m = manifests.find((x) => x.runKey === key)!;
    bytesRemoved += m.stored.bytes;
    if (input.dryRun) continue;
    await store.remove(pipelinePaths.manifest(input.name, key));
    await store.remove(m.object);
    onProgress();
  }
  return { keep, removed, bytesRemoved, dryRun: input.dryRun ?? false };
}
