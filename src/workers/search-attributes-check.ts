// Startup check: a workflow that upserts an unregistered search attribute fails every workflow task,
// so the worker refuses to start until they exist, and says exactly how to register them.
import type { NativeConnection } from '@temporalio/worker';
import { AZBACKUP_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const CLI_TYPE: Record<string, string> = { KEYWORD: 'Keyword' };

export async function assertSearchAttributesRegistered(connection: NativeConnection, namespace: string): Promise<void> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  const registered = new Set(Object.keys(response.customAttributes ?? {}));
  const missing = AZBACKUP_SEARCH_ATTRIBUTES.filter((key) => !registered.has(key.name));
  if (missing.length === 0) return;
  const commands = missing.map(
    (key) =>
      `  temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${CLI_TYPE[key.type] ?? key.type}`,
  );
  throw new Error(
    `Namespace ${JSON.stringify(namespace)} lacks azbackup's search attributes (${missing.map((k) => k.name).join(', ')}). ` +
      `Register them once:\n${commands.join('\n')}`,
  );
}
