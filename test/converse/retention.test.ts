/**
 * Retention per chat app (issue 27 item 4), read from the table itself after real turns over HTTP: a chat app
 * with `retentionDays: 7` puts `expiresAt` within 7 days on every item a turn writes — session, messages,
 * insights status, the debit record — and on the session's feedback, files and insights; activity moves the
 * session's forward; a chat app without the setting keeps the stage default (ITEM_TTL_DAYS); the user's and
 * the chat app's day-level usage items expire 400 days after their day, month items never.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { putChatApp } from '../../functions/data/config';
import { keys, usageChatAppPartition, usageUserDaysPartition } from '../../functions/data/keys';
import { RETENTION_GRACE_SECONDS } from '../../functions/data/retention';
import { DAY_SECONDS, USAGE_DAY_TTL_DAYS } from '../../functions/data/ttl';
import { dayOf } from '../../functions/data/usage-aggregates';
import { INSIGHTS_MODEL } from '../../scripts/local/seed';
import { announce } from '../api/files-harness';
import { ROLES, token, uid } from '../api/harness';
import { sampleInsights } from '../data/fixtures';
import { rawPartition } from '../data/helpers';
import { settleUsage } from '../support/usage';
import { converse, useConverse } from './harness';

const { api } = useConverse();
const nowSec = () => Math.floor(Date.now() / 1000);

afterEach(() => {
  delete process.env.ITEM_TTL_DAYS;
});

async function chatApp(retentionDays?: number): Promise<string> {
  const chatAppId = uid('ret');
  await putChatApp({
    chatAppId,
    title: 'retention',
    enabled: true,
    agentId: 'echo',
    insightsModel: INSIGHTS_MODEL,
    ...(retentionDays !== undefined ? { retentionDays } : {}),
  });
  return chatAppId;
}

async function turn(t: string, body: Record<string, unknown>) {
  const r = await converse(api.url, t, body);
  expect(r.events.at(-1)?.event, JSON.stringify(r.events.at(-1))).toBe('done');
  return r.events.at(-1)!.data as { sessionId: string; messageId: string };
}

/** Every item of the session's partition by kind of sort key (META, MSG, FEEDBACK, FILE, DEBIT, …). */
async function partitionOf(sessionId: string) {
  const items = await rawPartition(keys.sessionPartition(sessionId));
  return items.map((i) => ({ kind: String(i.sk).split('#')[0]!, sk: String(i.sk), expiresAt: i.expiresAt as number | undefined }));
}

/** Items of the session's content (not the debit record, idempotency record or retention entry, whose expiry is their own). */
const CONTENT = new Set(['META', 'MSG', 'HMSG', 'FEEDBACK', 'FILE', 'INSIGHTS', 'INSIGHTS_STATUS']);

describe('retention per chat app (retentionDays)', () => {
  it('retentionDays: 7 puts expiresAt within 7 days on every item of the session: turns (hidden messages too), feedback, files, insights', async () => {
    const chatAppId = await chatApp(7);
    const user = uid('u');
    const t = await token(user);
    const before = nowSec();
    const { sessionId } = await turn(t, { chatAppId, message: 'Hello there' });
    // A chat-app component's turn: its messages are hidden (HMSG#).
    await turn(t, { sessionId, message: 'widget ping', invocationMode: 'chat-app-component', chatAppComponentConfig: { componentId: 'calc' } });
    const feedback = await api.call('POST', `/sessions/${sessionId}/feedback`, {
      token: t,
      body: { type: 'other', severity: 'low', title: 'note', description: 'kept 7 days' },
    });
    expect(feedback.status, JSON.stringify(feedback.body)).toBe(201);
    expect((await announce(api, t, sessionId, { fileName: 'a.txt', mimeType: 'text/plain', size: 10 })).status).toBe(201);
    const service = await token(uid('svc'), [ROLES.service]);
    const insights = await api.call('PUT', `/sessions/${sessionId}/insights`, { token: service, body: sampleInsights() });
    expect(insights.status, JSON.stringify(insights.body)).toBe(200);
    const after = nowSec() + 1;

    const items = await partitionOf(sessionId);
    expect(new Set(items.map((i) => i.kind))).toEqual(
      new Set(['META', 'MSG', 'HMSG', 'DEBIT', 'INSIGHTS_STATUS', 'FEEDBACK', 'FILE', 'INSIGHTS', 'RETENTION']),
    );
    for (const item of items) {
      expect(item.expiresAt, item.sk).toBeTypeOf('number');
      // The retention entry (ids and dates, no content) outlives the session by a grace, for the sweep to delete its files.
      const grace = item.kind === 'RETENTION' ? RETENTION_GRACE_SECONDS : 0;
      expect(item.expiresAt!, item.sk).toBeLessThanOrEqual(after + 7 * DAY_SECONDS + grace);
      if (CONTENT.has(item.kind)) expect(item.expiresAt!, item.sk).toBeGreaterThanOrEqual(before + 7 * DAY_SECONDS);
    }
    // Never returned by the API.
    expect((await api.call('GET', `/sessions/${sessionId}`, { token: t })).body).not.toHaveProperty('expiresAt');
  });

  it('activity moves the session forward: the next turn sets it (and its new items) 7 days from then', async () => {
    const chatAppId = await chatApp(7);
    const t = await token(uid('u'));
    const { sessionId } = await turn(t, { chatAppId, message: 'first' });
    // As if the session had been idle for 5 days: its expiry is 2 days away.
    const aged = nowSec() + 2 * DAY_SECONDS;
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.session(sessionId),
        UpdateExpression: 'SET expiresAt = :e',
        ExpressionAttributeValues: { ':e': aged },
      }),
    );
    const before = nowSec();
    const second = await turn(t, { chatAppId, sessionId, message: 'second' });
    const items = await partitionOf(sessionId);
    const meta = items.find((i) => i.kind === 'META')!;
    expect(meta.expiresAt!).toBeGreaterThanOrEqual(before + 7 * DAY_SECONDS);
    expect(meta.expiresAt!).toBeLessThanOrEqual(nowSec() + 1 + 7 * DAY_SECONDS);
    const answer = items.find((i) => i.sk === `MSG#${second.messageId}`)!;
    expect(answer.expiresAt).toBe(meta.expiresAt);
  });

  it('a chat app without retentionDays keeps the stage default; its own setting wins over it', async () => {
    process.env.ITEM_TTL_DAYS = '30';
    const t = await token(uid('u'));
    for (const [chatAppId, days] of [
      [await chatApp(), 30],
      [await chatApp(7), 7],
    ] as const) {
      const before = nowSec();
      const { sessionId } = await turn(t, { chatAppId, message: 'hi' });
      const after = nowSec() + 1;
      for (const item of (await partitionOf(sessionId)).filter((i) => CONTENT.has(i.kind))) {
        expect(item.expiresAt!, `${chatAppId} ${item.sk}`).toBeGreaterThanOrEqual(before + days * DAY_SECONDS);
        expect(item.expiresAt!, `${chatAppId} ${item.sk}`).toBeLessThanOrEqual(after + days * DAY_SECONDS);
      }
    }
  });

  it('without either, nothing of the session expires and no retention entry is written', async () => {
    const chatAppId = await chatApp();
    const { sessionId } = await turn(await token(uid('u')), { chatAppId, message: 'kept' });
    const items = await partitionOf(sessionId);
    expect(items.map((i) => i.kind)).not.toContain('RETENTION');
    for (const item of items.filter((i) => CONTENT.has(i.kind))) expect(item.expiresAt, item.sk).toBeUndefined();
  });

  it('day-level usage items (the user\u2019s and the chat app\u2019s) expire 400 days after their day; month items stay', async () => {
    const chatAppId = await chatApp(7);
    const user = uid('u');
    await turn(await token(user), { chatAppId, message: 'count me' });
    await settleUsage();
    const day = dayOf(Date.now());
    const endOfDay = Date.parse(`${day}T00:00:00.000Z`) / 1000 + DAY_SECONDS;
    for (const pk of [usageUserDaysPartition(user, chatAppId), usageChatAppPartition(chatAppId)]) {
      const items = await rawPartition(pk);
      const dayItem = items.find((i) => i.sk === `D#${day}`);
      const monthItem = items.find((i) => String(i.sk).startsWith('M#'));
      expect(dayItem?.expiresAt, pk).toBe(endOfDay + USAGE_DAY_TTL_DAYS * DAY_SECONDS);
      expect(monthItem, pk).toBeDefined();
      expect(monthItem, pk).not.toHaveProperty('expiresAt');
    }
  });
});
