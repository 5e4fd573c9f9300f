// A throwaway PostgreSQL cluster for tests: initdb in a temp dir, started by pg_ctl on a free port with
// its socket in the same dir (trust auth, no network), stopped and removed after. PostgreSQL refuses to
// run as root, so as root the cluster runs as the `postgres` user (Debian's packages create it).
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePorts } from '../../dev/ports';

const run = promisify(execFile);

export interface PostgresCluster {
  /** The socket directory (use as host). */
  host: string;
  port: number;
  user: string;
  /** Connection arguments for psql, pg_dump, pg_restore. */
  args(database: string): string[];
  /** Runs SQL through psql, returns its unaligned, tuples-only output. */
  sql(database: string, query: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'azb-pg-'));
  const asRoot = userInfo().uid === 0;
  const { uid, gid } = asRoot ? await postgresUser() : { uid: -1, gid: -1 };
  if (asRoot) chownSync(dir, uid, gid);
  const as = (command: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);
  const data = join(dir, 'data');
  const [port] = await findFreePorts(1);
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  const options = `-p ${port} -k ${dir} -c listen_addresses='' -c fsync=off`;
  await as('pg_ctl', ['start', '-w', '-D', data, '-o', options, '-l', join(dir, 'log')]);
  const args = (database: string) => ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', database];
  return {
    host: dir,
    port: port!,
    user: 'postgres',
    args,
    async sql(database, query) {
      const { stdout } = await run('psql', [...args(database), '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', query], {
        maxBuffer: 64 * 1024 * 1024,
      });
      return stdout.trim();
    },
    async stop() {
      await as('pg_ctl', ['stop', '-D', data, '-m', 'immediate']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['postgres']);
  const uid = /uid=(\d+)/.exec(stdout)?.[1];
  const gid = /gid=(\d+)/.exec(stdout)?.[1];
  if (!uid || !gid) throw new Error('running as root, PostgreSQL needs a `postgres` user (install Debian postgresql)');
  return { uid: Number(uid), gid: Number(gid) };
}
