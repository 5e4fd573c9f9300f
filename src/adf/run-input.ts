// The input of a Data Factory run, checked without I/O (every problem at once, each naming its field), and
// a run's parameters checked against the pipeline's declaration: a parameter it does not declare (a typo
// that would silently fall back to a default), one it requires that is missing, or a value of the wrong
// type is refused before any run starts. Pure: workflows may check an input before scheduling the activity.
import {
  booleanProblem,
  connectionNameProblem,
  inputObject,
  intRangeProblem,
  objectProblem,
  fieldsOf,
  type InputProblem,
} from '../domain/input-problems';

export interface AdfRerun {
  /** The run to rerun: its parameters are used again (ADF ignores parameters given with a rerun). */
  referencePipelineRunId: string;
  /** Start from the activity that failed; the ones that succeeded are not run again. */
  startFromFailure?: boolean;
  /** Recovery mode: the new run joins the referenced run's group and becomes its latest run. */
  isRecovery?: boolean;
}

export interface RunAdfPipelineInput {
  /** The `adf` connection (a factory) in the worker's config. */
  adf: string;
  /** The pipeline's name in that factory, e.g. `azbackup-copy-blobs` (ADF_PIPELINES). */
  pipeline: string;
  /** Values for the pipeline's parameters: every declared one without a default, and no undeclared one. */
  parameters?: Record<string, unknown>;
  /** Rerun an earlier run (after a failure) instead of starting afresh; leave `parameters` out. */
  rerun?: AdfRerun;
  /** How often to ask ADF how the run is doing (default 15 s, at least 100 ms). Each poll heartbeats. */
  pollEveryMs?: number;
}

export const DEFAULT_POLL_EVERY_MS = 15_000;
export const MIN_POLL_EVERY_MS = 100;
export const MAX_POLL_EVERY_MS = 10 * 60_000;

/** ADF's rule for pipeline names: up to 260 characters, none of < > * # . % & : \ + ? /, starting with a letter, digit or _. */
const PIPELINE_NAME = /^[A-Za-z0-9_][^<>*#.%&:\\+?/]{0,259}$/;

export function runAdfPipelineInputProblems(input: unknown): InputProblem[] {
  const { fields, problems } = inputObject(input);
  const check = (field: string, value: unknown, message: string | undefined) => {
    if (message) problems.push({ field, value, message });
  };
  check('adf', fields.adf, connectionNameProblem(fields.adf));
  check(
    'pipeline',
    fields.pipeline,
    typeof fields.pipeline === 'string' && PIPELINE_NAME.test(fields.pipeline)
      ? undefined
      : 'must be the name of a pipeline in the factory, e.g. azbackup-copy-blobs',
  );
  check('parameters', fields.parameters, objectProblem(fields.parameters, false));
  check('rerun', fields.rerun, objectProblem(fields.rerun, false));
  if (fields.rerun !== undefined) {
    const rerun = fieldsOf(fields.rerun);
    check(
      'rerun.referencePipelineRunId',
      rerun.referencePipelineRunId,
      typeof rerun.referencePipelineRunId === 'string' && rerun.referencePipelineRunId.trim() !== ''
        ? undefined
        : 'is required: the run id of the run to rerun',
    );
    check('rerun.startFromFailure', rerun.startFromFailure, booleanProblem(rerun.startFromFailure));
    check('rerun.isRecovery', rerun.isRecovery, booleanProblem(rerun.isRecovery));
    if (Object.keys(fieldsOf(fields.parameters)).length > 0)
      check(
        'parameters',
        fields.parameters,
        "must be left out of a rerun: ADF reruns with the referenced run's parameters",
      );
  }
  check(
    'pollEveryMs',
    fields.pollEveryMs,
    intRangeProblem(fields.pollEveryMs, MIN_POLL_EVERY_MS, MAX_POLL_EVERY_MS, ' ms'),
  );
  return problems;
}

/** A parameter as a pipeline declares it (ParameterSpecification). */
export interface DeclaredParameter {
  type?: string;
  defaultValue?: unknown;
}

const TYPE_CHECKS: Record<string, { ok: (v: unknown) => boolean; what: string }> = {
  string: { ok: (v) => typeof v === 'string', what: 'a string' },
  securestring: { ok: (v) => typeof v === 'string', what: 'a string' },
  int: { ok: (v) => Number.isInteger(v), what: 'a whole number' },
  float: { ok: (v) => typeof v === 'number' && Number.isFinite(v), what: 'a number' },
  bool: { ok: (v) => typeof v === 'boolean', what: 'true or false' },
  array: { ok: (v) => Array.isArray(v), what: 'an array' },
  object: { ok: (v) => typeof v === 'object' && v !== null && !Array.isArray(v), what: 'an object' },
};

export function pipelineParameterProblems(
  pipeline: string,
  declared: Record<string, DeclaredParameter>,
  given: Record<string, unknown>,
): InputProblem[] {
  const problems: InputProblem[] = [];
  const names = Object.keys(declared);
  for (const [name, value] of Object.entries(given)) {
    const spec = declared[name];
    if (!spec) {
      problems.push({
        field: `parameters.${name}`,
        value,
        message: `is not a parameter of pipeline ${pipeline} (it takes: ${names.join(', ') || 'none'})`,
      });
      continue;
    }
    const check = spec.type ? TYPE_CHECKS[spec.type.toLowerCase()] : undefined;
    if (check && !check.ok(value))
      problems.push({
        field: `parameters.${name}`,
        value,
        message: `must be ${check.what} (pipeline ${pipeline} declares it ${spec.type})`,
      });
  }
  for (const [name, spec] of Object.entries(declared)) {
    if (!(name in given) && spec.defaultValue === undefined)
      problems.push({ field: `parameters.${name}`, value: undefined, message: `is required by pipeline ${pipeline}` });
  }
  return problems;
}
