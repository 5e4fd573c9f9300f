// Target `verify`: reads the backup back through its reverse chain and both digests, writing nothing.
// What a drill runs: the object is complete, decrypts under the worker's key, and is what was read.
import { z } from 'zod';
import { DiscardSink } from '../discard-sink';
import type { TargetPlugin } from './plugin';

const schema = z.object({}).strict();

export const verifyTarget: TargetPlugin<z.infer<typeof schema>> = {
  kind: 'verify',
  schema,
  accepts: ['bytes', 'tar'],
  check: async () => {},
  restore: async (_spec, source) => new DiscardSink().write(source.stream),
};
