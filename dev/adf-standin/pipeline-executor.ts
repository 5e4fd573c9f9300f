// Runs a deployed pipeline the way ADF does, for the activities azbackup's pipelines use: Lookup, ForEach
// (batchCount at once, every iteration runs, then it fails if one did), IfCondition, Switch, Fail, Wait and
// Copy (copies.ts moves the data on the local stack). Activities start when their dependsOn conditions are
// met (Succeeded / Failed / Skipped / Completed); a container (the pipeline, a ForEach iteration, a branch)
// fails when an activity fails that nothing handles (no activity depends on it on Failed or Completed),
// with ADF's messages: "Operation on target X failed: …", "Activity failed because an inner activity
// failed; Inner activity name: Y, Error: …". Dataset and linked service parameters are evaluated as ADF
// evaluates them (dataset() inside a dataset, linkedService() inside a linked service). Every activity run
// is recorded for queryActivityruns, with its output (a Copy's filesRead, dataWritten, rowsCopied, …).
// Not modelled: activity retry policies, variables, Until, Execute Pipeline. Dev/test only.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { evaluate, evaluateDeep, ExpressionError, type Scope } from './expressions';
import { copy, lookup, type CopyEnvironment, type ResolvedDataset, type ResolvedLinkedService } from './copies';
import type { FactoryResources } from './resources';
import type { ExecutingRun, RunExecutor } from './runs';
import { CopyError, type StackConnections } from './stack-connections';

export interface PipelineExecutorOptions {
  resources: FactoryResources;
  stack: StackConnections;
  /** Every run stays InProgress at least this long, so clients that watch states see it. */
  minimumInProgressMs?: number;
}

interface Activity {
  name: string;
  type: string;
  dependsOn?: { activity: string; dependencyConditions: string[] }[];
  typeProperties?: Record<string, unknown>;
  inputs?: unknown[];
  outputs?: unknown[];
  state?: string;
}

type Status = 'Succeeded' | 'Failed' | 'Skipped' | 'Cancelled';

interface Outcome {
  status: Status;
  output?: unknown;
  error?: { errorCode: string; message: string; failureType: string };
}

export function pipelineExecutor(options: PipelineExecutorOptions): RunExecutor {
  return {
    async execute(run) {
      const started = Date.now();
      const pipeline = options.resources.get(run.factory, 'pipelines', run.pipelineName);
      const result = pipeline
        ? await new PipelineRun(run, options).execute(pipeline.properties)
        : { status: 'Failed' as const, message: `Pipeline '${run.pipelineName}' was deleted before its run started.` };
      const rest = (options.minimumInProgressMs ?? 0) - (Date.now() - started);
      if (rest > 0) await sleep(rest, undefined, { signal: run.signal }).catch(() => {});
      return result;
    },
  };
}

class PipelineRun {
  constructor(
    private readonly run: ExecutingRun,
    private readonly options: PipelineExecutorOptions,
  ) {}

  async execute(properties: Record<string, unknown>): Promise<{ status: 'Succeeded' | 'Failed'; message?: string }> {
    const declared = (properties.parameters ?? {}) as Record<string, { defaultValue?: unknown }>;
    const parameters: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(declared))
      if (spec && 'defaultValue' in spec) parameters[name] = spec.defaultValue;
    Object.assign(parameters, this.run.parameters);
    const scope: Scope = {
      pipeline: {
        parameters,
        RunId: this.run.runId,
        Pipeline: this.run.pipelineName,
        DataFactory: this.run.factory,
        GroupId: this.run.runId,
        TriggerTime: new Date().toISOString(),
      },
    };
    const activities = (properties.activities ?? []) as Activity[];
    const outcomes = await this.runList(activities, scope);
    const failed = unhandledFailures(activities, outcomes)[0];
    if (!failed) return { status: 'Succeeded' };
    return { status: 'Failed', message: `Operation on target ${failed.name} failed: ${failed.error.message}` };
  }

  /** Runs a list of sibling activities in dependency order; their outputs are visible to each other. */
  private async runList(activities: Activity[], outer: Scope): Promise<Map<string, Outcome>> {
    const byName = new Map(activities.map((a) => [a.name, a]));
    const started = new Map<string, Promise<Outcome>>();
    const done = new Map<string, Outcome>();
    const scope: Scope = {
      ...outer,
      activity: (name) => {
        const outcome = done.get(name);
        if (outcome) return { output: outcome.output ?? {}, status: outcome.status, error: outcome.error };
        return outer.activity?.(name);
      },
    };
    const start = (activity: Activity): Promise<Outcome> => {
      let promise = started.get(activity.name);
      if (promise) return promise;
      promise = (async (): Promise<Outcome> => {
        const dependencies = activity.dependsOn ?? [];
        const before = await Promise.all(
          dependencies.map((d) => {
            const upstream = byName.get(d.activity);
            if (!upstream) throw new Error(`Activity ${activity.name} depends on unknown activity ${d.activity}`);
            return start(upstream);
          }),
        );
        const ready = dependencies.every((d, i) => d.dependencyConditions.some((c) => meets(c, before[i]!.status)));
        const outcome: Outcome =
          !ready || activity.state === 'Inactive'
            ? { status: 'Skipped' }
            : this.run.signal.aborted
              ? { status: 'Cancelled' }
              : await this.runActivity(activity, scope);
        done.set(activity.name, outcome);
        return outcome;
      })();
      started.set(activity.name, promise);
      return promise;
    };
    await Promise.all(activities.map(start));
    return done;
  }

  private async runActivity(activity: Activity, scope: Scope): Promise<Outcome> {
    const activityRunId = randomUUID();
    const startedAt = Date.now();
    let outcome: Outcome;
    try {
      outcome = { status: 'Succeeded', output: await this.perform(activity, scope, activityRunId) };
    } catch (err) {
      if (this.run.signal.aborted) outcome = { status: 'Cancelled' };
      else if (err instanceof ActivityFailed) outcome = { status: 'Failed', error: err.detail };
      else if (err instanceof CopyError)
        outcome = {
          status: 'Failed',
          error: { errorCode: err.errorCode, message: err.message, failureType: err.failureType },
        };
      else if (err instanceof ExpressionError)
        outcome = {
          status: 'Failed',
          error: { errorCode: 'InvalidTemplate', message: err.message, failureType: 'UserError' },
        };
      else
        outcome = {
          status: 'Failed',
          error: {
            errorCode: 'SystemError',
            message: err instanceof Error ? err.message : String(err),
            failureType: 'SystemError',
          },
        };
    }
    const endedAt = Date.now();
    this.run.recordActivity({
      activityRunId,
      activityName: activity.name,
      activityType: activity.type,
      pipelineName: this.run.pipelineName,
      pipelineRunId: this.run.runId,
      status: outcome.status === 'Skipped' ? 'Skipped' : outcome.status,
      activityRunStart: new Date(startedAt).toISOString(),
      activityRunEnd: new Date(endedAt).toISOString(),
      durationInMs: endedAt - startedAt,
      input: { ...(scope.item !== undefined ? { item: scope.item } : {}) },
      output: outcome.output ?? {},
      error: {
        errorCode: outcome.error?.errorCode ?? '',
        message: outcome.error?.message ?? '',
        failureType: outcome.error?.failureType ?? '',
        target: activity.name,
        details: '',
      },
    });
    return outcome;
  }

  private async perform(activity: Activity, scope: Scope, activityRunId: string): Promise<unknown> {
    const props = activity.typeProperties ?? {};
    switch (activity.type) {
      case 'ForEach': {
        const items = evaluate(props.items, scope);
        if (!Array.isArray(items))
          throw new ActivityFailed('InvalidTemplate', `The ForEach items of ${activity.name} must be an array.`);
        const concurrency = props.isSequential === true ? 1 : Math.min(50, Math.max(1, Number(props.batchCount ?? 20)));
        const inner = (props.activities ?? []) as Activity[];
        const failures: { name: string; error: NonNullable<Outcome['error']> }[] = [];
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(concurrency, items.length) }, async () => {
            while (next < items.length && !this.run.signal.aborted) {
              const item = items[next++];
              const outcomes = await this.runList(inner, { ...scope, item });
              failures.push(...unhandledFailures(inner, outcomes));
            }
          }),
        );
        if (failures[0]) throw innerFailure(failures[0]);
        return { itemsCount: items.length };
      }
      case 'IfCondition': {
        const condition = evaluate(props.expression, scope);
        if (typeof condition !== 'boolean')
          throw new ActivityFailed('InvalidTemplate', `The expression of ${activity.name} must give a boolean.`);
        const branch = ((condition ? props.ifTrueActivities : props.ifFalseActivities) ?? []) as Activity[];
        const failure = unhandledFailures(branch, await this.runList(branch, scope))[0];
        if (failure) throw innerFailure(failure);
        return { ifCondition: condition };
      }
      case 'Switch': {
        const on = String(evaluate(props.on, scope));
        const cases = (props.cases ?? []) as { value: string; activities: Activity[] }[];
        const branch = cases.find((c) => c.value === on)?.activities ?? ((props.defaultActivities ?? []) as Activity[]);
        const failure = unhandledFailures(branch, await this.runList(branch, scope))[0];
        if (failure) throw innerFailure(failure);
        return {};
      }
      case 'Fail':
        throw new ActivityFailed(String(evaluate(props.errorCode, scope)), String(evaluate(props.message, scope)));
      case 'Wait':
        await sleep(Number(evaluate(props.waitTimeInSeconds, scope)) * 1000, undefined, { signal: this.run.signal });
        return {};
      case 'Lookup':
        return lookup(this.environment(activity, activityRunId), {
          dataset: this.dataset(props.dataset, scope),
          firstRowOnly: evaluate(props.firstRowOnly, scope) !== false,
        });
      case 'Copy': {
        const [input] = activity.inputs ?? [];
        const [output] = activity.outputs ?? [];
        if (!input || !output)
          throw new ActivityFailed('BadRequest', `Copy activity ${activity.name} needs one input and one output.`);
        const logSettings = evaluateDeep(props.logSettings, scope) as LogSettingsJson | undefined;
        const logLocation = logSettings?.enableCopyActivityLog ? logSettings.logLocationSettings : undefined;
        return copy(this.environment(activity, activityRunId), {
          source: evaluateDeep(props.source, scope) as Record<string, unknown>,
          sink: evaluateDeep(props.sink, scope) as Record<string, unknown>,
          input: this.dataset(input, scope),
          output: this.dataset(output, scope),
          validateDataConsistency: evaluate(props.validateDataConsistency, scope) === true,
          skipErrorFile: (evaluateDeep(props.skipErrorFile, scope) ?? {}) as {
            fileMissing?: boolean;
            dataInconsistency?: boolean;
          },
          log: logLocation
            ? {
                linkedService: this.linkedService(
                  logLocation.linkedServiceName,
                  logLocation.linkedServiceName.parameters ?? {},
                ),
                path: String(logLocation.path ?? ''),
                level: String(logSettings?.copyActivityLogSettings?.logLevel ?? 'Warning'),
              }
            : undefined,
        });
      }
      default:
        throw new ActivityFailed('NotSupported', `The ADF stand-in does not run activities of type ${activity.type}.`);
    }
  }

  private environment(activity: Activity, activityRunId: string): CopyEnvironment {
    return {
      stack: this.options.stack,
      signal: this.run.signal,
      activityName: activity.name,
      activityRunId,
      linkedService: (name, parameters) => this.linkedService({ referenceName: name }, parameters),
    };
  }

  /** A dataset reference with its parameters evaluated where it is used, then the dataset in its own scope. */
  private dataset(reference: unknown, scope: Scope): ResolvedDataset {
    const ref = reference as { referenceName?: string; parameters?: Record<string, unknown> };
    const resource = this.options.resources.get(this.run.factory, 'datasets', ref.referenceName ?? '');
    if (!resource) throw new ActivityFailed('BadRequest', `Dataset '${ref.referenceName}' does not exist.`);
    const given = Object.fromEntries(Object.entries(ref.parameters ?? {}).map(([k, v]) => [k, evaluate(v, scope)]));
    const datasetScope: Scope = {
      dataset: withDefaults(resource.properties.parameters, given, `dataset ${resource.name}`),
    };
    const lsRef = resource.properties.linkedServiceName as {
      referenceName: string;
      parameters?: Record<string, unknown>;
    };
    const lsParameters = Object.fromEntries(
      Object.entries(lsRef.parameters ?? {}).map(([k, v]) => [k, evaluate(v, datasetScope)]),
    );
    return {
      name: resource.name,
      type: String(resource.properties.type),
      typeProperties: (evaluateDeep(resource.properties.typeProperties ?? {}, datasetScope) ?? {}) as Record<
        string,
        unknown
      >,
      linkedService: this.linkedService(lsRef, lsParameters),
    };
  }

  /** A linked service with its parameters' values (already evaluated where the reference is). */
  private linkedService(
    reference: { referenceName: string },
    parameters: Record<string, unknown>,
  ): ResolvedLinkedService {
    const resource = this.options.resources.get(this.run.factory, 'linkedservices', reference.referenceName);
    if (!resource)
      throw new ActivityFailed('BadRequest', `Linked service '${reference.referenceName}' does not exist.`);
    const scope: Scope = {
      linkedService: withDefaults(resource.properties.parameters, parameters, `linked service ${resource.name}`),
    };
    return {
      name: resource.name,
      type: String(resource.properties.type),
      typeProperties: (evaluateDeep(resource.properties.typeProperties ?? {}, scope) ?? {}) as Record<string, unknown>,
    };
  }
}

interface LogSettingsJson {
  enableCopyActivityLog?: boolean;
  copyActivityLogSettings?: { logLevel?: string };
  logLocationSettings: {
    linkedServiceName: { referenceName: string; parameters?: Record<string, unknown> };
    path?: unknown;
  };
}

class ActivityFailed extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
  get detail() {
    return { errorCode: this.errorCode, message: this.message, failureType: 'UserError' };
  }
}

function innerFailure(failure: { name: string; error: NonNullable<Outcome['error']> }): ActivityFailed {
  return new ActivityFailed(
    failure.error.errorCode,
    `Activity failed because an inner activity failed; Inner activity name: ${failure.name}, Error: ${failure.error.message}`,
  );
}

function meets(condition: string, status: Status): boolean {
  if (condition === 'Completed') return status === 'Succeeded' || status === 'Failed';
  return condition === status;
}

/** Failed activities no sibling handles (depends on them on Failed or Completed): they fail their container. */
function unhandledFailures(
  activities: Activity[],
  outcomes: Map<string, Outcome>,
): { name: string; error: NonNullable<Outcome['error']> }[] {
  return activities
    .filter((a) => outcomes.get(a.name)?.status === 'Failed')
    .filter(
      (a) =>
        !activities.some((b) =>
          b.dependsOn?.some(
            (d) => d.activity === a.name && d.dependencyConditions.some((c) => c === 'Failed' || c === 'Completed'),
          ),
        ),
    )
    .map((a) => ({ name: a.name, error: outcomes.get(a.name)!.error! }));
}

/** Declared parameters with their defaults, then the given values; a required one missing fails like ADF. */
function withDefaults(declared: unknown, given: Record<string, unknown>, owner: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries((declared ?? {}) as Record<string, { defaultValue?: unknown }>)) {
    if (name in given) values[name] = given[name];
    else if (spec && 'defaultValue' in spec) values[name] = spec.defaultValue;
    else throw new ActivityFailed('BadRequest', `The parameter '${name}' of ${owner} has no value.`);
  }
  return values;
}
