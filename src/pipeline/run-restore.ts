// Restoring one pipeline run: the manifest found, filters rebuilt from its descriptions (keys resolved),
// the target checked, and the first encrypted chunk decrypted (a wrong key fails here), all before the
// target sees a byte. Then store → stored-bytes meter → reversed filters → plaintext meter → target: a
// digest that differs fails the stream before it ends, and each target treats a failed stream as nothing
// restored (a directory is renamed into place, a blob committed, a command's stdin closed only at the end).
import { pipelinePaths } from '../domain/catalog-layout';
import { InvalidInputError, NotFoundError } from '../domain/failures';
import type { PipelineManifest, PipelineRestoreInput } from '../domain/pipeline-manifest';
import { openChain } from './chain';
import { reverseStages, type Filter } from './filter';
import { VerifyingMeter } from './meter';
import { FILTERS, resolvePlugin, SINKS, TARGETS, type BackupStore, type PluginContext } from './plugins';
import type { ProgressTracker } from './progress';

export interface PipelineRestoreResult {
  runKey: string;
  object: string;
  plain: { bytes: number; sha256: string };
  target: Record<string, unknown>;
}

export async function runPipelineRestore(
  input: PipelineRestoreInput,
  ctx: PluginContext,
  progress: ProgressTracker,
): Promise<PipelineRestoreResult> {
  const sink = resolvePlugin(SINKS, input.sink, 'sink', 'sink');
  const target = resolvePlugin(TARGETS, input.target, 'target', 'restore target');
  await sink.plugin.check(sink.options, 'sink', ctx);
  const store = sink.plugin.open(sink.options, ctx);
  const manifest = await findManifest(store, input.name, input.runKey);
  if (!target.plugin.accepts.includes(manifest.streamFormat))
    throw new InvalidInputError(
      'target.kind',
      `target.kind: '${target.plugin.kind}' cannot take a ${manifest.streamFormat} stream (run ${manifest.runKey} ` +
        `backed up a '${manifest.source.kind}' source)`,
    );
  const filters: Filter[] = [];
  for (const d of manifest.filterDescriptions) {
    const kind = (d as { kind?: string }).kind;
    const plugin = FILTERS.find((f) => f.kind === kind);
    if (!plugin)
      throw new InvalidInputError('runKey', `run ${manifest.runKey} used filter '${kind}', unknown to this build`);
    filters.push(await plugin.rebuild(d, ctx));
  }
  await target.plugin.check(target.options, 'target', ctx);
  progress.enter('probing key');
  await probe(store, manifest, filters, ctx);

  progress.enter('streaming');
  const stream = openChain(
    store.read(manifest.object),
    [
      progress.counter('in'),
      new VerifyingMeter(manifest.stored, `stored bytes of ${manifest.object}`),
      ...reverseStages(filters),
      new VerifyingMeter(manifest.plain, `restored bytes of ${manifest.object}`),
      progress.counter('out'),
    ],
    { abortSignal: ctx.signal },
  );
  const result = await target.plugin.restore(
    target.options,
    { stream, format: manifest.streamFormat, runKey: manifest.runKey },
    ctx,
  );
  progress.enter('done');
  return { runKey: manifest.runKey, object: manifest.object, plain: manifest.plain, target: result };
}

/** The manifests of a pipeline, oldest first. */
export async function pipelineManifests(store: BackupStore, name: string): Promise<PipelineManifest[]> {
  const out: PipelineManifest[] = [];
  for (const path of await store.list(pipelinePaths.manifestsPrefix(name))) {
    const m = await store.readJson<PipelineManifest>(path);
    if (m) out.push(m);
  }
  return out.sort((a, b) => (a.runKey < b.runKey ? -1 : 1));
}

async function findManifest(store: BackupStore, name: string, runKey?: string): Promise<PipelineManifest> {
  if (runKey) {
    const m = await store.readJson<PipelineManifest>(pipelinePaths.manifest(name, runKey));
    if (!m) throw new NotFoundError(`pipeline ${name} has no committed run ${runKey} in ${store.where}`);
    return m;
  }
  const newest = (await pipelineManifests(store, name)).at(-1);
  if (!newest) throw new NotFoundError(`pipeline ${name} has no committed run in ${store.where}`);
  return newest;
}

/** Decrypts the first chunk: the wrong key (or a damaged header) fails before the target is touched. */
async function probe(store: BackupStore, m: PipelineManifest, filters: Filter[], ctx: PluginContext): Promise<void> {
  if (!filters.some((f) => f.description.kind === 'aes-256-gcm')) return;
  const stream = openChain(store.read(m.object), reverseStages(filters), { abortSignal: ctx.signal });
  try {
    for await (const _chunk of stream) break;
  } finally {
    stream.destroy();
  }
}
