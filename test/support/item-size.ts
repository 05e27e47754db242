/**
 * The size DynamoDB bills for an item (its documented rules): attribute names and strings by UTF-8 length,
 * numbers about 1 byte per 2 significant digits + 1, booleans and null 1 byte, maps and lists 3 bytes + 1 per
 * element (+ the key names of a map). Close enough to say on which side of a bound an item is.
 */
const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

export function valueSize(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return utf8(v);
  if (typeof v === 'number')
    return (
      Math.ceil(
        String(Math.abs(v))
          .replace(/[.-]|e.*$/g, '')
          .replace(/^0+/, '').length / 2,
      ) + 1
    );
  if (v instanceof Set) return [...v].reduce((n: number, x) => n + valueSize(x), 0);
  if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + 1 + valueSize(x), 0);
  if (typeof v === 'object') return 3 + Object.entries(v).reduce((n, [k, x]) => n + 1 + utf8(k) + valueSize(x), 0);
  return utf8(String(v));
}

export const itemSize = (item: Record<string, unknown>): number => Object.entries(item).reduce((n, [k, v]) => n + utf8(k) + valueSize(v), 0);
