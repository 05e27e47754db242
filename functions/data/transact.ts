/**
 * Extra items joining another write's transaction (appendMessage's and setGeneratedTitle's `transactItems`):
 * DynamoDB refuses a transaction of more than 100 items or with two operations on one item, and says so
 * only at run time with a ValidationException; this check names the mistake before anything is sent.
 */
import type { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

export type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** DynamoDB's limit on the items of one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

const keyOf = (item: TransactItems[number]): string => {
  const op = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck;
  const key = (item.Put ? item.Put.Item : (op as { Key?: Record<string, unknown> } | undefined)?.Key) as { pk?: unknown; sk?: unknown } | undefined;
  return `${String(key?.pk)}|${String(key?.sk)}`;
};

/** Throws when `extra` plus the transaction's own items would exceed the limit or touch one item twice. */
export function assertJoinable(own: Array<{ pk: string; sk: string }>, extra: TransactItems | undefined): void {
  if (!extra?.length) return;
  if (own.length + extra.length > MAX_TRANSACTION_ITEMS) throw new Error(`more than ${MAX_TRANSACTION_ITEMS} transaction items`);
  const seen = new Set(own.map((k) => `${k.pk}|${k.sk}`));
  for (const item of extra) {
    const key = keyOf(item);
    if (seen.has(key)) throw new Error(`two operations on one item in a transaction: ${key}`);
    seen.add(key);
  }
}
