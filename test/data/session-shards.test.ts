/**
 * A chat app's session indexes (gsi3/gsi4) have SESSION_INDEX_SHARDS shards, a stage setting sized for its turn
 * rate (docs/scaling.md): sessions spread over all of them, and raising the count keeps every session found —
 * one created under fewer shards stays in its shard, which readers still query.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { keys } from '../../functions/data/keys';
import { searchSessions } from '../../functions/data/session-search';
import { createSession } from '../../functions/data/sessions';
import { provideConfig } from '../../functions/platform/config';
import { uid } from './helpers';

const shardOfItem = async (sessionId: string) => {
  const item = (await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(sessionId), ConsistentRead: true }))).Item!;
  return Number(String(item.gsi4pk).split('#').at(-1));
};

describe('session index shards', () => {
  it('sessions spread over SESSION_INDEX_SHARDS shards; raising it keeps the older sessions found', async () => {
    const chatAppId = uid('shards');
    const before = await Promise.all(Array.from({ length: 8 }, () => createSession({ userId: uid('u'), chatAppId, agentId: 'echo' })));
    for (const s of before) expect(await shardOfItem(s.sessionId)).toBeLessThan(4);
    const withdraw = provideConfig({ SESSION_INDEX_SHARDS: '16' });
    try {
      const after = await Promise.all(Array.from({ length: 40 }, () => createSession({ userId: uid('u'), chatAppId, agentId: 'echo' })));
      const shards = await Promise.all(after.map((s) => shardOfItem(s.sessionId)));
      expect(Math.max(...shards)).toBeGreaterThanOrEqual(4);
      expect(Math.max(...shards)).toBeLessThan(16);
      const found = await searchSessions({ chatAppId, sortBy: [{ field: 'createDate', order: 'asc' }], caller: 'admin', limit: 100 });
      expect(found.items.map((s) => s.sessionId).sort()).toEqual([...before, ...after].map((s) => s.sessionId).sort());
    } finally {
      withdraw();
    }
  });

  it('the setting is at least 4 (the shards sessions were created in before it existed)', () => {
    expect(() => provideConfig({ SESSION_INDEX_SHARDS: '2' })).toThrow(/SESSION_INDEX_SHARDS/);
  });
});
