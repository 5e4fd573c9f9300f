// A worker on the shared test server with the real workflow bundle and mocked activities, for
// orchestration tests: the workflows run for real, the activities are the test's.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { quietRuntime, stackConfig, stackInfo, uniqueName } from './stack';

export interface MockWorker {
  client: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startMockWorker(activities: object): Promise<MockWorker> {
  quietRuntime();
  const { address } = stackConfig().temporal;
  const taskQueue = uniqueName('tq-mock');
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: { codePath: stackInfo().workflowBundlePath },
    activities,
  });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address }) });
  return {
    client,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await client.connection.close();
    },
  };
}
