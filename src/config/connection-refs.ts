// Names a command or schedule refers to, checked against the config before anything starts or is
// created: each connection must exist and be of the kind the field needs; container names must be valid.
import { containerNameProblem } from '../domain/blob-names';
import { connectionNameProblem, type InputProblem } from '../domain/input-problems';
import type { Config } from './schema';

export interface NameRefs {
  /** By field (or flag): a name (a blob connection), or a name and the kind of connection it must be. */
  connections?: Record<string, string | undefined | { name: string | undefined; kind: string }>;
  containers?: Record<string, string | undefined>;
}

/** Bad connection and container names, and connections this config does not define. */
export function nameProblems(config: Config, names: NameRefs): InputProblem[] {
  const problems: InputProblem[] = [];
  const known = Object.keys(config.connections);
  for (const [field, given] of Object.entries(names.connections ?? {})) {
    const { name, kind: wanted } = typeof given === 'object' ? given : { name: given, kind: 'blob' };
    if (name === undefined) continue;
    const kind = config.connections[name]?.kind;
    const message =
      connectionNameProblem(name) ??
      (kind === undefined
        ? `is not a connection of this config (it defines: ${known.join(', ')})`
        : kind !== wanted
          ? `is a ${kind} connection; this needs a ${wanted} connection`
          : undefined);
    if (message) problems.push({ field, value: name, message });
  }
  for (const [field, name] of Object.entries(names.containers ?? {})) {
    const message = name === undefined ? undefined : containerNameProblem(name);
    if (message) problems.push({ field, value: name, message });
  }
  return problems;
}
