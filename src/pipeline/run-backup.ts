// One backup pipeline run: every spec resolved and checked (plugins, options, keys, paths, commands), then
// the first write (the store), then source → plaintext meter → filters → store, streamed with bounded
// memory, then the manifest, written last: a run without one never happened (a failed stream leaves no
// object either: the sinks commit only complete streams).
import { pipelinePaths } from '../domain/catalog-layout';
import { PIPELINE_MANIFEST_FORMAT, type PipelineBackupInput, type PipelineManifest } from '../domain/pipeline-manifest';
import { runChain } from './chain';
import { describeFilters, forwardStages, type Filter } from './filter';
import { HashMeter } from './meter';
import { FILTERS, resolvePlugin, SINKS, SOURCES, type PluginContext } from './plugins';
import type { ProgressTracker } from './progress';

export interface PipelineRun {
  runKey: string;
  workflowId: string;
  /** Object names carry it, so a retried attempt never collides with an earlier attempt's object. */
  attempt: number;
}

export async function runPipelineBackup(
  input: PipelineBackupInput,
  run: PipelineRun,
  ctx: PluginContext,
  progress: ProgressTracker,
): Promise<PipelineManifest> {
  const startedAt = new Date().toISOString();
  const source = resolvePlugin(SOURCES, input.source, 'source', 'source');
  const filterSpecs = (input.filters ?? []).map((f, i) => resolvePlugin(FILTERS, f, `filters.${i}`, 'filter'));
  const sink = resolvePlugin(SINKS, input.sink, 'sink', 'sink');
  await source.plugin.check(source.options, 'source', ctx);
  const filters: Filter[] = [];
  for (const [i, f] of filterSpecs.entries()) filters.push(await f.plugin.build(f.options, `filters.${i}`, ctx));
  await sink.plugin.check(sink.options, 'sink', ctx);

  const store = sink.plugin.open(sink.options, ctx);
  progress.enter('preparing');
  await store.prepare(); // the first write, after every check has passed
  const ext = source.plugin.extension + filterSpecs.map((f) => f.plugin.extension).join('');
  const object = pipelinePaths.object(input.name, run.runKey, run.attempt, ext);
  const opened = source.plugin.open(source.options, ctx);
  const plain = new HashMeter();
  progress.enter('streaming');
  const stored = await runChain(
    opened.stream,
    [progress.counter('in'), plain, ...forwardStages(filters), progress.counter('out')],
    store.sink(object),
    { abortSignal: ctx.signal },
  );
  progress.enter('cataloging');
  const descriptions = describeFilters(filters);
  const key = descriptions.find((d) => d.kind === 'aes-256-gcm');
  const manifest: PipelineManifest = {
    format: PIPELINE_MANIFEST_FORMAT,
    name: input.name,
    runKey: run.runKey,
    workflowId: run.workflowId,
    source: input.source,
    filters: input.filters ?? [],
    sink: input.sink,
    streamFormat: source.plugin.format,
    sourceDetails: opened.describe(),
    filterDescriptions: descriptions,
    ...(key ? { encryptionKey: key.keyId } : {}),
    object,
    plain: plain.digest(),
    stored: { bytes: stored.bytes, sha256: stored.sha256 },
    startedAt,
    finishedAt: new Date().toISOString(),
  };
  await store.writeJson(pipelinePaths.manifest(input.name, run.runKey), manifest);
  progress.enter('done');
  return manifest;
}
