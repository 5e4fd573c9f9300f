// Where `npm run dev` and the demo keep their state: .azbackup-dev/ in the checkout (git-ignored), or
// $AZBACKUP_DEV_DIR, so that tests and parallel checkouts can run them without sharing state.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DEV_DIR_ENV = 'AZBACKUP_DEV_DIR';

export function devDataDir(name: 'data' | 'demo', env: NodeJS.ProcessEnv = process.env): string {
  const root = env[DEV_DIR_ENV] ? resolve(env[DEV_DIR_ENV]) : join(__dirname, '..', '.azbackup-dev');
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
