// Where the worker gets its workflow code. Bundling src/workflows with webpack at every start costs
// seconds of CPU and a few hundred MB of dev-only tooling in memory; a production image bundles once
// at build time (`npm run bundle` → dist/workflow-bundle.js) and the compiled worker loads that file.
// A bundle older than any compiled file is stale (tsc ran again without a bundle) and is not used: the
// worker then bundles at start, as it always does when run from source (tsx).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

export type WorkflowSource =
  { kind: 'prebuilt'; codePath: string } | { kind: 'bundle at start'; workflowsPath: string; reason: string };

export interface WorkflowSourceOptions {
  /** The directory of the running src/workers/main (dist/src/workers when compiled). */
  workersDir?: string;
  /** True when running compiled JavaScript (not tsx). */
  compiled?: boolean;
}

export function workflowSource(options: WorkflowSourceOptions = {}): WorkflowSource {
  const workersDir = options.workersDir ?? __dirname;
  const compiled = options.compiled ?? __filename.endsWith('.js');
  const workflowsPath = join(workersDir, '..', 'workflows');
  if (!compiled) return { kind: 'bundle at start', workflowsPath, reason: 'running from source' };
  const outDir = join(workersDir, '..', '..');
  const codePath = join(outDir, WORKFLOW_BUNDLE_FILE);
  let bundleMtimeMs: number;
  try {
    bundleMtimeMs = statSync(codePath).mtimeMs;
  } catch {
    return { kind: 'bundle at start', workflowsPath, reason: `no ${codePath} (npm run bundle makes it)` };
  }
  const newest = newestMtimeMs(join(outDir, 'src'));
  if (newest > bundleMtimeMs) {
    return { kind: 'bundle at start', workflowsPath, reason: `${codePath} is older than the compiled code` };
  }
  return { kind: 'prebuilt', codePath };
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtimeMs(path));
    else if (entry.name.endsWith('.js')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}
