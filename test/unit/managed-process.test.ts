// Components that die or never listen fail the stack start with their log, and leave nothing running.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManagedProcess } from '../../dev/managed-process';
import { findFreePorts } from '../../dev/ports';
import { waitForPort } from '../../dev/wait';

/** Live (not zombie: PID 1 here may not reap orphans) processes of a process group, from /proc. */
function liveGroupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
          .replace(/^.*\) /, '')
          .split(' ');
        return fields[0] !== 'Z' && Number(fields[2]) === pgid ? [Number(pid)] : [];
      } catch {
        return [];
      }
    });
}

const logFile = () => join(mkdtempSync(join(tmpdir(), 'azb-proc-')), 'component.log');

describe('managed processes', () => {
  it('reports a component that exits during start-up, with the end of its log', async () => {
    const proc = new ManagedProcess({
      name: 'Flaky thing',
      command: 'sh',
      args: ['-c', 'echo "boom: bad flag" >&2; exit 3'],
      logFile: logFile(),
    });
    const [port] = await findFreePorts(1);
    await assert.rejects(
      waitForPort(proc, port!, 10_000),
      /Flaky thing exited with exit code 3\.[\s\S]*boom: bad flag/,
    );
  });

  it('reports a component that never listens, and stops it', async () => {
    const proc = new ManagedProcess({ name: 'Sleepy thing', command: 'sleep', args: ['60'], logFile: logFile() });
    const [port] = await findFreePorts(1);
    await assert.rejects(
      waitForPort(proc, port!, 500),
      new RegExp(`Sleepy thing did not start listening on port ${port} within 0.5 s`),
    );
    assert.equal(proc.hasExited, true);
  });

  it('stops a whole process group, grandchildren included', async () => {
    const proc = new ManagedProcess({
      name: 'Parent',
      command: 'sh',
      args: ['-c', 'sleep 60 & sleep 60 & wait'],
      logFile: logFile(),
    });
    await new Promise((r) => setTimeout(r, 200));
    await proc.stop(2_000);
    assert.deepEqual(liveGroupMembers(proc.pid!), [], 'no process of the group survives stop()');
  });

  it('reports a command that cannot be started', async () => {
    const proc = new ManagedProcess({ name: 'Ghost', command: '/nonexistent/ghost', args: [], logFile: logFile() });
    const [port] = await findFreePorts(1);
    await assert.rejects(
      waitForPort(proc, port!, 5_000),
      /Ghost could not be started: spawn \/nonexistent\/ghost ENOENT/,
    );
  });
});

describe('a parent killed by a signal', () => {
  it('takes its children along', async () => {
    // The parent starts a child through ManagedProcess, then is killed with SIGTERM (no 'exit' event).
    const dir = mkdtempSync(join(tmpdir(), 'azb-orphan-'));
    const program = `const { ManagedProcess } = require('./dev/managed-process');
      const p = new ManagedProcess({ name: 'child', command: 'sleep', args: ['60'], logFile: ${JSON.stringify(join(dir, 'c.log'))} });
      console.log(p.pid); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', program], { cwd: join(__dirname, '..', '..') });
    const childPid = await new Promise<number>((resolve) =>
      parent.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
    );
    assert.ok(childPid > 0);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      parent.once('exit', (_code, signal) => resolve(signal)),
    );
    parent.kill('SIGTERM');
    assert.equal(await exited, 'SIGTERM', 'the parent still dies of the signal');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(liveGroupMembers(childPid), [], 'the child is gone too');
  });
});
