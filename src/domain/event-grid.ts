// Storage queue messages that Event Grid delivers for Microsoft.Storage.BlobCreated: parsed and checked
// here, without I/O, into (account, container, blob) so the queue consumer only moves messages. Event
// Grid writes each event as JSON, base64-encoded (both are accepted), in the Event Grid schema or the
// CloudEvents 1.0 schema. Anything else is a poison message, with the reason why.
import { containerNameProblem, MAX_BLOB_NAME_LENGTH } from './blob-names';

export interface BlobCreatedEvent {
  id: string;
  /** Storage account name, from the event's topic (Event Grid) or source (CloudEvents). */
  account: string;
  container: string;
  blob: string;
  /** ISO time the blob was written. */
  eventTime: string;
}

export type ParsedMessage = { ok: true; events: BlobCreatedEvent[] } | { ok: false; reason: string };

export const BLOB_CREATED = 'Microsoft.Storage.BlobCreated';
/** Event Grid sends one event per queue message; a hand-made batch is accepted up to this many. */
export const MAX_EVENTS_PER_MESSAGE = 100;

const SUBJECT = /^\/?blobServices\/default\/containers\/([^/]+)\/blobs\/(.+)$/;
const ACCOUNT = /\/providers\/Microsoft\.Storage\/storageAccounts\/([a-z0-9]{3,24})$/i;

export function parseBlobCreatedMessage(text: string): ParsedMessage {
  const body = decode(text);
  if (body === undefined) return { ok: false, reason: 'is neither JSON nor base64-encoded JSON' };
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0 || list.length > MAX_EVENTS_PER_MESSAGE)
    return { ok: false, reason: `holds ${list.length} events (1 to ${MAX_EVENTS_PER_MESSAGE} allowed)` };
  const events: BlobCreatedEvent[] = [];
  for (const [i, item] of list.entries()) {
    const parsed = parseEvent(item);
    if (typeof parsed === 'string') return { ok: false, reason: list.length > 1 ? `event ${i}: ${parsed}` : parsed };
    events.push(parsed);
  }
  return { ok: true, events };
}

function decode(text: string): unknown {
  const trimmed = text.trim();
  const tryJson = (s: string) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      return undefined;
    }
  };
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return tryJson(trimmed);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return undefined;
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8').trim();
  return decoded.startsWith('{') || decoded.startsWith('[') ? tryJson(decoded) : undefined;
}

/** The event, or why it is not a usable BlobCreated event. */
function parseEvent(item: unknown): BlobCreatedEvent | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'is not a JSON object';
  const e = item as Record<string, unknown>;
  // Event Grid schema: eventType/topic/eventTime; CloudEvents: type/source/time.
  const cloud = e.specversion !== undefined;
  const type = cloud ? e.type : e.eventType;
  const topic = cloud ? e.source : e.topic;
  const time = cloud ? e.time : e.eventTime;
  const typeField = cloud ? 'type' : 'eventType';
  if (type !== BLOB_CREATED) return `${typeField} is ${JSON.stringify(type)}, not ${BLOB_CREATED}`;
  if (typeof e.id !== 'string' || e.id === '') return 'has no id';
  const subject = typeof e.subject === 'string' ? SUBJECT.exec(e.subject) : null;
  if (!subject) return `subject ${JSON.stringify(e.subject)} is not /blobServices/default/containers/<c>/blobs/<name>`;
  const account = typeof topic === 'string' ? ACCOUNT.exec(topic)?.[1] : undefined;
  if (!account)
    return `${cloud ? 'source' : 'topic'} ${JSON.stringify(topic)} does not end in /providers/Microsoft.Storage/storageAccounts/<account>`;
  const [, container, blob] = subject as unknown as [string, string, string];
  const containerProblem = containerNameProblem(container);
  if (containerProblem) return `container ${JSON.stringify(container)} ${containerProblem}`;
  if (blob.length > MAX_BLOB_NAME_LENGTH) return `blob name is over ${MAX_BLOB_NAME_LENGTH} characters`;
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time)))
    return `${cloud ? 'time' : 'eventTime'} ${JSON.stringify(time)} is not an ISO time`;
  return { id: e.id, account: account.toLowerCase(), container, blob, eventTime: time };
}
