// `azbackup runs` and `azbackup ls`: read a source's catalog in the backup account directly (no
// workflow: a read-only look, like `restic snapshots` and `restic ls`).
import { parseArgs } from 'node:util';
import { listRunSummaries, openCatalog, readStatePage } from '../catalog/queries';
import { loadConfig } from '../config/load';
import { isTombstone } from '../domain/catalog-record';
import { ConnectionRegistry } from '../storage/connections';
import { catalogLocation, catalogLocationOptions, optionalString } from './cli-options';

export async function runRunsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...catalogOptions } });
  const config = loadConfig();
  const connections = new ConnectionRegistry(config.connections);
  try {
    const location = catalogLocation(values, config);
    const runs = await listRunSummaries(openCatalog(connections.blob(location.backup), location), {
      limit: Number.MAX_SAFE_INTEGER,
    });
    if (values.json) {
      console.log(JSON.stringify(runs, null, 2));
      return 0;
    }
    if (runs.length === 0) {
      console.log('No committed backup runs for this source in this backup container.');
      return 0;
    }
    // "bytes copied" is what each run added (its new and modified versions); "bytes held" the size of what
    // it holds (what restoring the whole run writes).
    console.log(
      'run                                started                   mode         items  copied  bytes copied    bytes held  deleted  verified',
    );
    for (const r of runs) {
      const items = r.counts.new + r.counts.modified + r.counts.unchanged;
      console.log(
        `${r.runKey.padEnd(34)} ${r.startedAt.padEnd(25)} ${r.mode.padEnd(11)} ${String(items).padStart(6)} ` +
          `${String(r.counts.copied).padStart(7)} ${String(r.bytesCopied).padStart(13)} ${String(r.bytesHeld).padStart(13)} ` +
          `${String(r.counts.deleted).padStart(8)}  ${r.verified ? 'yes' : 'NO'}`,
      );
    }
    return 0;
  } finally {
    connections.close();
  }
}

export async function runLsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...catalogOptions,
      'as-of': { type: 'string' },
      run: { type: 'string' },
      prefix: { type: 'string' },
      'include-deleted': { type: 'boolean' },
    },
  });
  const config = loadConfig();
  const connections = new ConnectionRegistry(config.connections);
  try {
    const location = catalogLocation(values, config);
    const store = openCatalog(connections.blob(location.backup), location);
    let selector = { asOf: optionalString(values, 'as-of'), run: optionalString(values, 'run') };
    const prefix = optionalString(values, 'prefix');
    let after: string | undefined;
    do {
      const page = await readStatePage(store, selector, { prefix, after });
      if (after === undefined && !values.json) {
        const run = page.run;
        console.log(`Run ${run.runKey}, started ${run.startedAt}${run.verified ? '' : ' (NOT verified)'}:`);
      }
      for (const r of page.records) {
        if (isTombstone(r) && !values['include-deleted']) continue;
        if (values.json) console.log(JSON.stringify(r));
        else if (isTombstone(r)) console.log(`deleted ${r.deletedAt}  ${r.name}`);
        else console.log(`${String(r.size).padStart(12)}  ${r.lastModified}  ${r.name}`);
      }
      after = page.nextAfter;
      selector = { asOf: undefined, run: page.run.runKey }; // the same run for every page
    } while (after !== undefined);
    return 0;
  } finally {
    connections.close();
  }
}

const catalogOptions = { ...catalogLocationOptions, json: { type: 'boolean' } } as const;
