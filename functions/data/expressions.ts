/**
 * Update expressions built from values, never by hand: every attribute name and value becomes a placeholder
 * (`#u0`, `:u0`, …), so a field name can neither break nor change the expression, and a condition's own
 * placeholders (any other names) merge with these without clashing.
 */
export interface UpdateSpec {
  /** SET each attribute (undefined values are skipped). */
  set?: Record<string, unknown>;
  /** SET each attribute only where it has no value yet. */
  setIfNotExists?: Record<string, unknown>;
  /** SET keys inside a map attribute (`{ data: { a: 1 } }` sets `data.a`; the map must exist): merges that keep the map's other keys. */
  setIn?: Record<string, Record<string, unknown>>;
  /** SET keys inside a map attribute only where they have no value yet. */
  setInIfNotExists?: Record<string, Record<string, unknown>>;
  /** Append to a list attribute (created when absent): `list_append`, so concurrent appends all survive. */
  append?: Record<string, readonly unknown[]>;
  /** ADD each number. */
  add?: Record<string, number>;
  /** Add numbers to keys inside a map attribute (`SET m.k = if_not_exists(m.k, 0) + n`; the map must exist; ADD takes top-level attributes only). */
  addIn?: Record<string, Record<string, number>>;
  /** REMOVE each attribute. */
  remove?: readonly string[];
}

export interface BuiltUpdate {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/** The expression of `spec`, with `condition` names and values merged in (for a ConditionExpression). */
export function updateExpression(spec: UpdateSpec, condition: { names?: Record<string, string>; values?: Record<string, unknown> } = {}): BuiltUpdate {
  const names: Record<string, string> = { ...condition.names };
  const values: Record<string, unknown> = { ...condition.values };
  let n = 0;
  const placeholder = (attribute: string, value: unknown) => {
    const i = n++;
    names[`#u${i}`] = attribute;
    values[`:u${i}`] = value;
    return { name: `#u${i}`, value: `:u${i}` };
  };
  const sets: string[] = [];
  for (const [attribute, value] of Object.entries(spec.set ?? {})) {
    if (value === undefined) continue;
    const p = placeholder(attribute, value);
    sets.push(`${p.name} = ${p.value}`);
  }
  for (const [attribute, value] of Object.entries(spec.setIfNotExists ?? {})) {
    if (value === undefined) continue;
    const p = placeholder(attribute, value);
    sets.push(`${p.name} = if_not_exists(${p.name}, ${p.value})`);
  }
  for (const [onlyNew, byMap] of [
    [false, spec.setIn],
    [true, spec.setInIfNotExists],
  ] as const) {
    for (const [attribute, entries] of Object.entries(byMap ?? {})) {
      const defined = Object.entries(entries).filter(([, value]) => value !== undefined);
      if (!defined.length) continue;
      const map = `#u${n++}`;
      names[map] = attribute;
      for (const [key, value] of defined) {
        const p = placeholder(key, value);
        const path = `${map}.${p.name}`;
        sets.push(`${path} = ${onlyNew ? `if_not_exists(${path}, ${p.value})` : p.value}`);
      }
    }
  }
  for (const [attribute, entries] of Object.entries(spec.addIn ?? {})) {
    if (!Object.keys(entries).length) continue;
    const map = `#u${n++}`;
    names[map] = attribute;
    const zero = `:u${n++}`;
    values[zero] = 0;
    for (const [key, by] of Object.entries(entries)) {
      const p = placeholder(key, by);
      const path = `${map}.${p.name}`;
      sets.push(`${path} = if_not_exists(${path}, ${zero}) + ${p.value}`);
    }
  }
  for (const [attribute, items] of Object.entries(spec.append ?? {})) {
    const p = placeholder(attribute, items);
    const empty = `:u${n++}`;
    values[empty] = [];
    sets.push(`${p.name} = list_append(if_not_exists(${p.name}, ${empty}), ${p.value})`);
  }
  const adds = Object.entries(spec.add ?? {}).map(([attribute, value]) => {
    const p = placeholder(attribute, value);
    return `${p.name} ${p.value}`;
  });
  const removes = (spec.remove ?? []).map((attribute) => {
    const i = n++;
    names[`#u${i}`] = attribute;
    return `#u${i}`;
  });
  const clauses = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    adds.length ? `ADD ${adds.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
  ].filter(Boolean);
  if (!clauses.length) throw new Error('an update expression needs at least one action');
  return { UpdateExpression: clauses.join(' '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}
