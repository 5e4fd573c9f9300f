// The part of ADF's expression language the stand-in needs to run azbackup's pipelines as written: values
// that are expressions (`"@concat(...)"`, `{ "value": "@...", "type": "Expression" }`), string interpolation
// (`"... @{pipeline().parameters.fromTs} ..."`), `@@` for a literal @, and the functions the pipelines use
// (plus a few neighbours), with ADF's semantics where they surprise: indexOf, startsWith and endsWith ignore
// case, substring refuses out-of-range arguments, interpolating an object writes its JSON. Dev/test only.
import { randomUUID } from 'node:crypto';

/** What `pipeline()`, `item()`, `activity('x')`, `dataset()` and `linkedService()` return where an expression runs. */
export interface Scope {
  pipeline?: {
    parameters: Record<string, unknown>;
    RunId: string;
    Pipeline: string;
    DataFactory: string;
    GroupId: string;
    TriggerTime: string;
  };
  item?: unknown;
  activity?: (name: string) => unknown;
  dataset?: Record<string, unknown>;
  linkedService?: Record<string, unknown>;
}

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

/** A property value as ADF evaluates it: expressions and interpolations are evaluated, anything else is literal. */
export function evaluate(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return evaluateString(value, scope);
  if (isExpressionObject(value)) return evaluateString(value.value, scope);
  return value;
}

/** evaluate(), applied through objects and arrays (for settings bags such as a Copy activity's source). */
export function evaluateDeep(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string' || isExpressionObject(value)) return evaluate(value, scope);
  if (Array.isArray(value)) return value.map((v) => evaluateDeep(v, scope));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateDeep(v, scope)]));
  return value;
}

function isExpressionObject(value: unknown): value is { value: string; type: 'Expression' } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'Expression' &&
    typeof (value as { value?: unknown }).value === 'string'
  );
}

function evaluateString(text: string, scope: Scope): unknown {
  if (text.startsWith('@@')) return text.slice(1);
  if (text.startsWith('@') && !text.startsWith('@{')) return evaluateExpression(text.slice(1), scope);
  if (!text.includes('@{')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('@{', i);
    if (start < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    const end = closingBrace(text, start + 2);
    const result = evaluateExpression(text.slice(start + 2, end), scope);
    out += typeof result === 'string' ? result : JSON.stringify(result);
    i = end + 1;
  }
  return out;
}

/** The index of the `}` closing an interpolation that starts at `from`, skipping string literals. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      // A string literal: '' inside it is a quote, the next lone ' ends it.
      for (i++; i < text.length; i++) {
        if (text[i] !== "'") continue;
        if (text[i + 1] !== "'") break;
        i++;
      }
    } else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new ExpressionError(`The interpolation in '${text}' has no closing '}'.`);
}

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'ident'; value: string }
  | { kind: 'punct'; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new ExpressionError(`Unterminated string literal in '${source}'.`);
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += source[i++];
      }
      tokens.push({ kind: 'string', value });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const m = /^-?\d+(\.\d+)?/.exec(source.slice(i))!;
      tokens.push({ kind: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'ident', value: m[0] });
      i += m[0].length;
    } else if (c === '?' && source[i + 1] === '.') {
      tokens.push({ kind: 'punct', value: '?.' });
      i += 2;
    } else if ('(),.[]'.includes(c)) {
      tokens.push({ kind: 'punct', value: c });
      i++;
    } else {
      throw new ExpressionError(`Unexpected character '${c}' in expression '${source}'.`);
    }
  }
  return tokens;
}

type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'member'; target: Node; property: Node; optional: boolean };

function parse(source: string): Node {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const expect = (value: string) => {
    const t = tokens[pos++];
    if (!t || t.kind !== 'punct' || t.value !== value)
      throw new ExpressionError(`Expected '${value}' in expression '${source}'.`);
  };
  const primary = (): Node => {
    const t = tokens[pos++];
    if (!t) throw new ExpressionError(`The expression '${source}' ends too early.`);
    if (t.kind === 'string' || t.kind === 'number') return { kind: 'literal', value: t.value };
    if (t.kind === 'ident') {
      const next = peek();
      if (next?.kind === 'punct' && next.value === '(') {
        pos++;
        const args: Node[] = [];
        if (!(peek()?.kind === 'punct' && peek()?.value === ')')) {
          for (;;) {
            args.push(expression());
            const sep = tokens[pos++];
            if (sep?.kind === 'punct' && sep.value === ')') break;
            if (!(sep?.kind === 'punct' && sep.value === ','))
              throw new ExpressionError(`Expected ',' or ')' in expression '${source}'.`);
          }
        } else pos++;
        return { kind: 'call', name: t.value, args };
      }
      const literal = { true: true, false: false, null: null }[t.value.toLowerCase()];
      if (literal !== undefined) return { kind: 'literal', value: literal };
    }
    throw new ExpressionError(`Unexpected '${String(t.value)}' in expression '${source}'.`);
  };
  const expression = (): Node => {
    let node = primary();
    for (;;) {
      const t = peek();
      if (t?.kind === 'punct' && (t.value === '.' || t.value === '?.')) {
        pos++;
        const name = tokens[pos++];
        if (name?.kind !== 'ident') throw new ExpressionError(`Expected a property name in '${source}'.`);
        node = {
          kind: 'member',
          target: node,
          property: { kind: 'literal', value: name.value },
          optional: t.value === '?.',
        };
      } else if (t?.kind === 'punct' && t.value === '[') {
        pos++;
        const property = expression();
        expect(']');
        node = { kind: 'member', target: node, property, optional: false };
      } else return node;
    }
  };
  const node = expression();
  if (pos !== tokens.length) throw new ExpressionError(`Unexpected text after the end of expression '${source}'.`);
  return node;
}

export function evaluateExpression(source: string, scope: Scope): unknown {
  return run(parse(source), scope, source);
}

function run(node: Node, scope: Scope, source: string): unknown {
  if (node.kind === 'literal') return node.value;
  if (node.kind === 'member') {
    const target = run(node.target, scope, source);
    const property = run(node.property, scope, source);
    if (target === undefined || target === null) {
      if (node.optional) return undefined;
      throw new ExpressionError(
        `The expression '${source}' cannot be evaluated because property '${String(property)}' cannot be selected.`,
      );
    }
    if (Array.isArray(target) && typeof property === 'number') {
      if (property < 0 || property >= target.length)
        throw new ExpressionError(
          `The expression '${source}' cannot be evaluated because array index '${property}' is outside bounds.`,
        );
      return target[property];
    }
    if (typeof target === 'object') {
      const record = target as Record<string, unknown>;
      const key = String(property);
      if (key in record) return record[key];
      const match = Object.keys(record).find((k) => k.toLowerCase() === key.toLowerCase());
      if (match !== undefined) return record[match];
      if (node.optional) return undefined;
      throw new ExpressionError(
        `The expression '${source}' cannot be evaluated because property '${key}' doesn't exist, available properties are '${Object.keys(record).join(', ')}'.`,
      );
    }
    throw new ExpressionError(
      `The expression '${source}' cannot be evaluated: '${String(property)}' of a ${typeof target}.`,
    );
  }
  const name = node.name.toLowerCase();
  if (name === 'if') {
    const [condition, whenTrue, whenFalse] = node.args;
    if (!condition || !whenTrue || !whenFalse) throw new ExpressionError(`if() takes 3 arguments in '${source}'.`);
    return run(condition, scope, source) === true ? run(whenTrue, scope, source) : run(whenFalse, scope, source);
  }
  const fn = FUNCTIONS[name];
  if (!fn)
    throw new ExpressionError(`The template function '${node.name}' is not defined or not valid (in '${source}').`);
  return fn(
    node.args.map((a) => run(a, scope, source)),
    scope,
    source,
  );
}

type Fn = (args: unknown[], scope: Scope, source: string) => unknown;

const str = (v: unknown, fn: string): string => {
  if (typeof v !== 'string')
    throw new ExpressionError(`The template function '${fn}' expects a string, got ${JSON.stringify(v)}.`);
  return v;
};
const num = (v: unknown, fn: string): number => {
  if (typeof v !== 'number')
    throw new ExpressionError(`The template function '${fn}' expects a number, got ${JSON.stringify(v)}.`);
  return v;
};
const arr = (v: unknown, fn: string): unknown[] => {
  if (!Array.isArray(v))
    throw new ExpressionError(`The template function '${fn}' expects an array, got ${JSON.stringify(v)}.`);
  return v;
};
const collection = (v: unknown, fn: string): string | unknown[] =>
  typeof v === 'string' || Array.isArray(v) ? v : arr(v, fn);
const scoped = (value: unknown, what: string) => {
  if (value === undefined) throw new ExpressionError(`The template function '${what}' is not valid here.`);
  return value;
};

const FUNCTIONS: Record<string, Fn> = {
  pipeline: (_a, scope) => scoped(scope.pipeline, 'pipeline'),
  item: (_a, scope) => scoped(scope.item, 'item'),
  dataset: (_a, scope) => scoped(scope.dataset, 'dataset'),
  linkedservice: (_a, scope) => scoped(scope.linkedService, 'linkedService'),
  activity: ([name], scope) => {
    const result = scope.activity?.(str(name, 'activity'));
    if (result === undefined)
      throw new ExpressionError(
        `The output of activity '${String(name)}' can't be referenced since it has not been executed.`,
      );
    return result;
  },
  concat: (args) =>
    args.every(Array.isArray)
      ? (args as unknown[][]).flat()
      : args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(''),
  split: ([s, d]) => str(s, 'split').split(str(d, 'split')),
  substring: ([s, start, length]) => {
    const text = str(s, 'substring');
    const from = num(start, 'substring');
    const count = length === undefined ? text.length - from : num(length, 'substring');
    if (from < 0 || count < 0 || from + count > text.length)
      throw new ExpressionError(
        "The template language function 'substring' parameters are out of range: 'start index' and 'length' must be " +
          `non-negative integers and their sum must be no larger than the length of the string '${text}'.`,
      );
    return text.slice(from, from + count);
  },
  indexof: ([s, t]) => str(s, 'indexOf').toLowerCase().indexOf(str(t, 'indexOf').toLowerCase()),
  lastindexof: ([s, t]) => str(s, 'lastIndexOf').toLowerCase().lastIndexOf(str(t, 'lastIndexOf').toLowerCase()),
  startswith: ([s, t]) => str(s, 'startsWith').toLowerCase().startsWith(str(t, 'startsWith').toLowerCase()),
  endswith: ([s, t]) => str(s, 'endsWith').toLowerCase().endsWith(str(t, 'endsWith').toLowerCase()),
  replace: ([s, a, b]) => str(s, 'replace').split(str(a, 'replace')).join(str(b, 'replace')),
  tolower: ([s]) => str(s, 'toLower').toLowerCase(),
  toupper: ([s]) => str(s, 'toUpper').toUpperCase(),
  trim: ([s]) => str(s, 'trim').trim(),
  contains: ([c, v]) => {
    if (typeof c === 'string') return c.includes(str(v, 'contains'));
    if (Array.isArray(c)) return c.some((x) => JSON.stringify(x) === JSON.stringify(v));
    if (typeof c === 'object' && c !== null) return Object.prototype.hasOwnProperty.call(c, str(v, 'contains'));
    throw new ExpressionError(`The template function 'contains' expects a collection, got ${JSON.stringify(c)}.`);
  },
  length: ([c]) => collection(c, 'length').length,
  empty: ([c]) =>
    c === null ||
    c === undefined ||
    (typeof c === 'object' && !Array.isArray(c) ? Object.keys(c).length === 0 : collection(c, 'empty').length === 0),
  first: ([c]) => collection(c, 'first')[0],
  last: ([c]) => {
    const v = collection(c, 'last');
    return v[v.length - 1];
  },
  join: ([c, d]) =>
    arr(c, 'join')
      .map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
      .join(str(d, 'join')),
  take: ([c, n]) => collection(c, 'take').slice(0, Math.max(0, num(n, 'take'))),
  skip: ([c, n]) => collection(c, 'skip').slice(Math.max(0, num(n, 'skip'))),
  createarray: (args) => args,
  union: (args) => [...new Map(args.flatMap((a) => arr(a, 'union')).map((x) => [JSON.stringify(x), x])).values()],
  coalesce: (args) => args.find((a) => a !== null && a !== undefined) ?? null,
  string: ([v]) => (typeof v === 'string' ? v : JSON.stringify(v)),
  int: ([v]) => {
    const n = typeof v === 'number' ? v : Number(str(v, 'int'));
    if (!Number.isInteger(n))
      throw new ExpressionError(`The template function 'int' cannot convert ${JSON.stringify(v)}.`);
    return n;
  },
  float: ([v]) => (typeof v === 'number' ? v : Number(str(v, 'float'))),
  bool: ([v]) => (typeof v === 'boolean' ? v : str(v, 'bool').toLowerCase() === 'true'),
  json: ([v]) => (typeof v === 'string' ? JSON.parse(v) : v),
  add: ([a, b]) => num(a, 'add') + num(b, 'add'),
  sub: ([a, b]) => num(a, 'sub') - num(b, 'sub'),
  mul: ([a, b]) => num(a, 'mul') * num(b, 'mul'),
  div: ([a, b]) => Math.trunc(num(a, 'div') / num(b, 'div')),
  mod: ([a, b]) => num(a, 'mod') % num(b, 'mod'),
  equals: ([a, b]) => JSON.stringify(a) === JSON.stringify(b),
  not: ([a]) => a !== true,
  and: (args) => args.every((a) => a === true),
  or: (args) => args.some((a) => a === true),
  greater: ([a, b]) => (a as number) > (b as number),
  greaterorequals: ([a, b]) => (a as number) >= (b as number),
  less: ([a, b]) => (a as number) < (b as number),
  lessorequals: ([a, b]) => (a as number) <= (b as number),
  utcnow: () => new Date().toISOString(),
  guid: () => randomUUID(),
};
