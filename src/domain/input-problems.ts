// Reporting bad input without I/O: every problem at once, each naming its field, the value it got and
// what is allowed. Workflows reject with all of them in one non-retryable failure (workflow-rules.ts).
import { CONNECTION_NAME } from './connection-name';

export interface InputProblem {
  field: string;
  value: unknown;
  message: string;
}

/** Collects problems: `check(field, value, message)` records one when `message` is set. */
export function problemCollector(): {
  problems: InputProblem[];
  check: (field: string, value: unknown, message: string | undefined) => void;
} {
  const problems: InputProblem[] = [];
  const check = (field: string, value: unknown, message: string | undefined) => {
    if (message) problems.push({ field, value, message });
  };
  return { problems, check };
}

export function formatProblems(problems: InputProblem[]): string {
  return problems.map((p) => `${p.field} ${p.message} (got ${JSON.stringify(p.value)})`).join('; ');
}

export function connectionNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0)
    return 'is required: the name of a connection in the worker config';
  if (!CONNECTION_NAME.test(value)) return 'must be a connection name (lowercase letters, digits, dashes)';
  return undefined;
}

export function positiveIntProblem(value: unknown, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    return `must be a whole number from 1 to ${max}`;
  }
  return undefined;
}

export function oneOfProblem(value: unknown, allowed: readonly string[]): string | undefined {
  if (value === undefined || allowed.includes(value as string)) return undefined;
  return `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`;
}

export function booleanProblem(value: unknown): string | undefined {
  return value === undefined || typeof value === 'boolean' ? undefined : 'must be true or false';
}

/** A whole number in [min, max] (an optional field: undefined passes). */
export function intRangeProblem(value: unknown, min: number, max: number, unit = ''): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    return `must be a whole number from ${min} to ${max}${unit}`;
  return undefined;
}

/** A sub-object: required ones must be there, optional ones absent or an object (never null or a list). */
export function objectProblem(value: unknown, required: boolean): string | undefined {
  if (value === undefined) return required ? 'is required (an object)' : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return required ? 'must be an object' : 'must be an object, or left out';
  return undefined;
}

/**
 * The input itself must be an object (a CLI start without --input sends nothing). Returns the problems,
 * and the input as a record whose fields can be read safely.
 */
export function inputObject(input: unknown): { fields: Record<string, unknown>; problems: InputProblem[] } {
  if (typeof input === 'object' && input !== null && !Array.isArray(input))
    return { fields: input as Record<string, unknown>, problems: [] };
  return { fields: {}, problems: [{ field: '(input)', value: input, message: 'must be a JSON object' }] };
}

/** The fields of a sub-object, or none when it is not an object (its problem is reported by objectProblem). */
export function fieldsOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
