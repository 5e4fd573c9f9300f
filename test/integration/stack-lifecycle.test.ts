// Starting and stopping a second, private stack: every child process ends and every port is free
// again after stop; a taken port fails fast with a message naming the component, starting nothing.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PortInUseError, isPortFree, findFreePorts } from '../../dev/ports';
import { startStack, type StackPorts } from '../../dev/stack';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePorts(): Promise<StackPorts> {
  const [temporal, temporalUi, azurite, cosmos, mongo, adf, azuriteQueue] = (await findFreePorts(7)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { temporal, temporalUi, azurite, azuriteQueue, cosmos, mongo, adf };
}

describe('stack lifecycle', () => {
  it('stops every process and frees every port', async () => {
    const ports = await freePorts();
    const stack = await startStack({ dataDir: mkdtempSync(join(tmpdir(), 'azb-life-')), ports });
    const pids = stack.processes().map((p) => p.pid!);
    assert.ok(pids.length >= 5, `expected at least 5 processes, got ${pids.length}`);
    for (const port of Object.values(ports))
      assert.equal(await isPortFree(port), false, `port ${port} in use while running`);
    await stack.stop();
    for (const pid of pids) assert.equal(isAlive(pid), false, `process ${pid} still alive after stop`);
    for (const port of Object.values(ports)) assert.equal(await isPortFree(port), true, `port ${port} free after stop`);
  });

  it('refuses a port in use, naming the component, before starting anything', async () => {
    const ports = await freePorts();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.azurite, '127.0.0.1', resolve));
    try {
      const err = await startStack({ dataDir: mkdtempSync(join(tmpdir(), 'azb-busy-')), ports }).then(
        () => assert.fail('startStack should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof PortInUseError);
      assert.match(err.message, new RegExp(`Port ${ports.azurite} \\(Azurite blob service\\) is already in use`));
      for (const [name, port] of Object.entries(ports)) {
        if (name !== 'azurite') assert.equal(await isPortFree(port), true, `${name} port ${port} left free`);
      }
    } finally {
      blocker.close();
    }
  });
});
