// `azbackup config check`: load and validate the config, list what it defines (never the secrets).
import { loadConfig } from '../config/load';

export function runConfigCheck(): number {
  const config = loadConfig();
  console.log(
    `Config OK. Temporal ${config.temporal.address}, namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}.`,
  );
  for (const [name, connection] of Object.entries(config.connections))
    console.log(`  connection ${name}: ${connection.kind}`);
  return 0;
}
