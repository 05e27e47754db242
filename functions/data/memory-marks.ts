/**
 * "Forget me" means forget (docs/security.md#forget-me): `USER#u / MEMORY_FORGOTTEN` holds when the user last
 * asked their memory to be forgotten. A converse turn that started before that time never records its exchange
 * (functions/converse/memory.ts checks before and after recording); an erasure's request time counts the same.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetEach } from './batch';
import { ddb, tableName } from './client';
import { updateExpression } from './expressions';
import { nowIso } from './items';
import { keys } from './keys';

/** Marks the user's memory forgotten as of `atIso` (never moves the mark backwards). One UpdateItem on the user's own partition. */
export async function markMemoryForgotten(userId: string, atIso = nowIso()): Promise<void> {
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.memoryForgotten(userId),
        ...updateExpression({ set: { forgottenAt: atIso } }, { values: { ':forgetAt': atIso } }),
        ConditionExpression: 'attribute_not_exists(forgottenAt) OR forgottenAt < :forgetAt',
      }),
    );
  } catch (err) {
    if ((err as { name?: string })?.name !== 'ConditionalCheckFailedException') throw err;
  }
}

/**
 * The latest time before which everything the user said must stay out of memory: their last "forget me" or the
 * request of their erasure, whichever is later (undefined: neither). Strongly consistent, one BatchGetItem.
 */
export async function memoryForgottenAt(userId: string): Promise<string | undefined> {
  const [mark, erasure] = await batchGetEach([keys.memoryForgotten(userId), keys.erasure(userId)], { consistent: true });
  const times = [mark?.forgottenAt, erasure?.requestedAt].filter((t): t is string => typeof t === 'string');
  return times.sort().at(-1);
}
