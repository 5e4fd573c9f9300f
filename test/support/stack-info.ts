// What `npm test` hands each test file about the shared stack (through $AZBACKUP_TEST_STACK).
import type { ConfigInput } from '../../src/config/schema';
import type { StackPorts } from '../../dev/stack';

export interface TestStackInfo {
  config: ConfigInput;
  configFile: string;
  ports: StackPorts;
  temporalCli: string | undefined;
  workflowBundlePath: string;
  dataDir: string;
}
