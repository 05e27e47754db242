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
  /** ADD each number. */
  add?: Record<string, number>;
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
