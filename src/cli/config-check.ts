// `azbackup config check`: load and validate the config, list what it defines (never the secrets).
import { loadConfig } from '../config/load';
import { output } from './output';

export function runConfigCheck(): number {
  const config = loadConfig();
  if (output.json) {
    const connections = Object.fromEntries(Object.entries(config.connections).map(([name, c]) => [name, c.kind]));
    console.log(JSON.stringify({ ok: true, temporal: config.temporal, connections }));
    return 0;
  }
  console.log(
    `Config OK. Temporal ${config.temporal.address}, namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}.`,
  );
  for (const [name, connection] of Object.entries(config.connections))
    console.log(`  connection ${name}: ${connection.kind}`);
  for (const [id, schedule] of Object.entries(config.schedules ?? {}))
    console.log(`  schedule ${id}: ${String(schedule.kind)} (azbackup schedule apply makes it)`);
  return 0;
}
