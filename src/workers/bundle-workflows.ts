// `npm run bundle`: compiles (npm run build) and bundles the compiled workflows once into
// dist/workflow-bundle.js, which the compiled worker loads instead of bundling at every start
// (workflow-source.ts). The Dockerfile runs it, so the image carries the production bundle.
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKFLOW_BUNDLE_FILE } from './workflow-source';

async function main(): Promise<void> {
  const workflowsPath = require.resolve(join(__dirname, '..', 'workflows'));
  const { code } = await bundleWorkflowCode({ workflowsPath });
  const out = join(__dirname, '..', '..', WORKFLOW_BUNDLE_FILE);
  writeFileSync(out, code);
  console.log(`Workflow bundle written to ${out} (${(code.length / 1024).toFixed(0)} KiB).`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
