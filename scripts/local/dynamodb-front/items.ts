/**
 * Items and keys: DynamoDB's item size rules (approximately), what an update expression changes, a table's keys
 * and indexes from DescribeTable, item ids and partition names, and what the front remembers of an item.
 */
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION } from '../dynamodb-local';
import type { Av, Index, Item, Json, Known, Table } from './types';

// ---- sizes (DynamoDB's item size rules, approximately) ----

function valueSize(v: Av): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').replace(/^0+/, '').length / 2) + 1;
  if (v.B !== undefined) return Buffer.byteLength(String(v.B), 'base64');
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (v.NS) return v.NS.reduce((n, s) => n + valueSize({ N: s }), 0);
  if (v.BS) return v.BS.reduce((n, b) => n + Buffer.byteLength(String(b), 'base64'), 0);
  if (v.L) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + Buffer.byteLength(k) + valueSize(e), 0);
  return 1;
}

export function itemSize(item: Item): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += Buffer.byteLength(k) + valueSize(v);
  return n;
}

export const scalar = (v: Av | undefined): string | undefined => (v ? String(v.S ?? v.N ?? v.B ?? JSON.stringify(v)) : undefined);

// ---- update expressions: which top-level attributes change, and plain `name = :value` assignments ----

interface UpdateEffect {
  touched: Set<string>;
  assigned: Map<string, Av>;
  removed: Set<string>;
  valueBytes: number;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

export function updateEffect(input: Json): UpdateEffect {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Item;
  const effect: UpdateEffect = { touched: new Set(), assigned: new Map(), removed: new Set(), valueBytes: 0 };
  const top = (path: string) => {
    const head = path.trim().split(/[.[\s]/)[0] ?? '';
    return names[head] ?? head;
  };
  const legacy = input.AttributeUpdates as Record<string, { Action?: string; Value?: Av }> | undefined;
  for (const [name, u] of Object.entries(legacy ?? {})) {
    effect.touched.add(name);
    if (u.Action === 'DELETE' && !u.Value) effect.removed.add(name);
    else if (u.Value) {
      effect.valueBytes += valueSize(u.Value);
      if ((u.Action ?? 'PUT') === 'PUT') effect.assigned.set(name, u.Value);
    }
  }
  const expr = typeof input.UpdateExpression === 'string' ? input.UpdateExpression : '';
  const clauses = expr.split(/\b(SET|REMOVE|ADD|DELETE)\b/i);
  for (let i = 1; i < clauses.length; i += 2) {
    const kind = clauses[i]!.toUpperCase();
    for (const action of splitTopLevel(clauses[i + 1] ?? '')) {
      if (kind === 'SET') {
        const eq = action.indexOf('=');
        const name = top(action.slice(0, eq));
        const rhs = action.slice(eq + 1).trim();
        effect.touched.add(name);
        for (const ref of rhs.match(/:[A-Za-z0-9_]+/g) ?? []) if (values[ref]) effect.valueBytes += valueSize(values[ref]);
        const plain = values[rhs];
        if (/^:[A-Za-z0-9_]+$/.test(rhs) && plain && !action.slice(0, eq).trim().match(/[.[]/)) effect.assigned.set(name, plain);
      } else if (kind === 'REMOVE') {
        const name = top(action);
        effect.touched.add(name);
        if (!/[.[]/.test(action)) effect.removed.add(name);
      } else {
        const [path, ref] = action.split(/\s+/);
        effect.touched.add(top(path ?? ''));
        if (ref && values[ref]) effect.valueBytes += valueSize(values[ref]);
      }
    }
  }
  return effect;
}

// ---- tables, keys, items ----

export const tableName = (nameOrArn: string) => (nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.indexOf(':table/') + 7) : nameOrArn);

export function toTable(d: TableDescription): Table {
  const keyOf = (schema: { AttributeName?: string; KeyType?: string }[] | undefined, type: string) => schema?.find((k) => k.KeyType === type)?.AttributeName;
  return {
    name: d.TableName!,
    arn: d.TableArn ?? `arn:aws:dynamodb:${LOCAL_REGION}:000000000000:table/${d.TableName}`,
    pk: keyOf(d.KeySchema, 'HASH')!,
    sk: keyOf(d.KeySchema, 'RANGE'),
    onDemand: d.BillingModeSummary?.BillingMode !== 'PROVISIONED',
    indexes: (d.GlobalSecondaryIndexes ?? []).map((g) => ({
      name: g.IndexName!,
      arn: g.IndexArn ?? `${d.TableArn}/index/${g.IndexName}`,
      pk: keyOf(g.KeySchema, 'HASH')!,
      sk: keyOf(g.KeySchema, 'RANGE'),
      projected:
        g.Projection?.ProjectionType === 'ALL'
          ? undefined
          : new Set([d.KeySchema, g.KeySchema].flatMap((s) => (s ?? []).map((k) => k.AttributeName!)).concat(g.Projection?.NonKeyAttributes ?? [])),
    })),
  };
}

export const itemId = (t: Table, key: Item) => `${t.name}\u0000${scalar(key[t.pk])}\u0000${t.sk ? scalar(key[t.sk]) : ''}`;
export const keyOfItem = (t: Table, item: Item): Item => ({ [t.pk]: item[t.pk]!, ...(t.sk && item[t.sk] ? { [t.sk]: item[t.sk]! } : {}) });
export const tablePartition = (t: Table, key: Item) => `${t.name} ${t.pk}=${scalar(key[t.pk])}`;
export const indexPartition = (t: Table, g: Index, value: string) => `${t.name}/index/${g.name} ${g.pk}=${value}`;

export function knownFrom(t: Table, item: Item | undefined): Known {
  if (!item) return { exists: false, size: 0, indexKeys: {} };
  const indexKeys: Record<string, string | undefined> = {};
  for (const g of t.indexes) indexKeys[g.name] = item[g.pk] && (!g.sk || item[g.sk]) ? scalar(item[g.pk]) : undefined;
  return { exists: true, size: itemSize(item), indexKeys };
}
