/**
 * What DynamoDB (and the SDK's marshalling) cannot store, found anywhere in a parsed JSON body before it
 * reaches a schema or the table: numbers beyond ±(2^53 − 1) or non-finite (`1e400` parses to Infinity), or
 * non-zero below DynamoDB's smallest magnitude (1e-130); empty or non-well-formed (lone surrogate) map keys;
 * strings with lone surrogates; the prototype keys `__proto__`, `constructor`, `prototype` (the SDK's marshalling
 * fails on an own `constructor` key, and none may reach a plain object) and nesting deeper than DynamoDB's 32
 * levels. Each becomes a 400 naming its path instead of a 500 at write time.
 */
import { FORBIDDEN_KEYS } from 'pika-shared/schemas';

export const MIN_STORABLE_MAGNITUDE = 1e-130;

export interface Unstorable {
  path: string;
  message: string;
}

const MAX_ISSUES = 20;
/** DynamoDB's nesting limit for documents (maps and lists). */
export const MAX_STORABLE_DEPTH = 32;

function numberProblem(n: number): string | undefined {
  if (!Number.isFinite(n)) return 'number is not finite';
  if (Math.abs(n) > Number.MAX_SAFE_INTEGER) return `number exceeds ±${Number.MAX_SAFE_INTEGER}`;
  if (n !== 0 && Math.abs(n) < MIN_STORABLE_MAGNITUDE) return `non-zero number below ${MIN_STORABLE_MAGNITUDE} in magnitude`;
  return undefined;
}

/** The unstorable values of `value` (at most 20), with dotted paths under `root`. */
export function unstorableValues(value: unknown, root: string): Unstorable[] {
  const out: Unstorable[] = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (out.length >= MAX_ISSUES) return;
    if (depth > MAX_STORABLE_DEPTH && v !== null && typeof v === 'object') {
      out.push({ path, message: `nesting deeper than ${MAX_STORABLE_DEPTH} levels` });
      return;
    }
    if (typeof v === 'number') {
      const problem = numberProblem(v);
      if (problem) out.push({ path, message: problem });
    } else if (typeof v === 'string') {
      if (!v.isWellFormed()) out.push({ path, message: 'text has a lone surrogate (not well-formed Unicode)' });
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, `${path}.${i}`, depth + 1);
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        if (key === '') out.push({ path, message: 'empty key' });
        else if (FORBIDDEN_KEYS.has(key)) out.push({ path: `${path}.${key}`, message: `forbidden key "${key}"` });
        else if (!key.isWellFormed()) out.push({ path, message: 'key has a lone surrogate (not well-formed Unicode)' });
        else walk(item, `${path}.${key}`, depth + 1);
      }
    }
  };
  walk(value, root, 0);
  return out;
}
