/**
 * The retention sweep (functions/retention/sweep.ts) on the local stack: a session that stays active keeps its
 * older items (they move to the session's expiry before they would expire alone); an idle one has its files
 * noted, then deleted from S3 when it expires — even once DynamoDB TTL took the file records — with the items
 * that would outlive it (written after its last message; the others are TTL's); activity in
 * between revives it; a renewal cut short resumes; a session deleted by its user leaves no entry. The sweep's
 * clock is a parameter: "days later" is a clock given to it, and items aged by setting their `expiresAt`.
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { putChatApp } from '../../functions/data/config';
import { FILE_PREFIX, keys } from '../../functions/data/keys';
import { getRetentionEntry, renewSessionItems, type RetentionEntry } from '../../functions/data/retention';
import { DAY_SECONDS } from '../../functions/data/ttl';
import { headObject } from '../../functions/files/storage';
import { retainSession, sweepRetention } from '../../functions/retention/sweep';
import { uploadFile } from '../api/files-harness';
import { token, uid } from '../api/harness';
import { rawPartition } from '../data/helpers';
import { converse, useConverse } from './harness';

const { api } = useConverse();
const nowSec = () => Math.floor(Date.now() / 1000);

async function chatApp(retentionDays: number): Promise<string> {
  const chatAppId = uid('ret');
  await putChatApp({ chatAppId, title: 'retention sweep', enabled: true, agentId: 'echo', retentionDays });
  return chatAppId;
}

async function turn(t: string, body: Record<string, unknown>) {
  const r = await converse(api.url, t, body);
  expect(r.events.at(-1)?.event, JSON.stringify(r.events.at(-1))).toBe('done');
  return r.events.at(-1)!.data as { sessionId: string; messageId: string };
}

const setExpiry = (key: { pk: string; sk: string }, expiresAt: number) =>
  ddb().send(new UpdateCommand({ TableName: tableName(), Key: key, UpdateExpression: 'SET expiresAt = :e', ExpressionAttributeValues: { ':e': expiresAt } }));

/** Ages the session's entry: its floor at `floor`, due at `dueSec`. */
const ageEntry = (sessionId: string, floor: number, dueSec: number) =>
  ddb().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.retention(sessionId),
      UpdateExpression: 'SET floor = :f, gsi1sk = :k',
      ExpressionAttributeValues: { ':f': floor, ':k': keys.retentionDueIndex(sessionId, new Date(dueSec * 1000).toISOString()).gsi1sk },
    }),
  );

const itemsOf = async (sessionId: string) => await rawPartition(keys.sessionPartition(sessionId));
const expiryOf = async (sessionId: string) => (await itemsOf(sessionId)).find((i) => i.sk === 'META')!.expiresAt as number;

/** The idle session's entry after the sweep's look a few hours before its expiry (a renewal first if its answer came a second after its floor). */
async function idleLook(sessionId: string): Promise<RetentionEntry> {
  for (let i = 0; i < 2; i++) {
    const entry = (await getRetentionEntry(sessionId))!;
    if ((await retainSession(entry, ((await expiryOf(sessionId)) - 3600) * 1000)) === 'expiring') return (await getRetentionEntry(sessionId))!;
  }
  throw new Error('the session never looked idle');
}

describe('retention sweep', () => {
  it('an active session keeps its older items: they move to the session\u2019s expiry before they would expire', async () => {
    const chatAppId = await chatApp(7);
    const t = await token(uid('u'));
    const first = await turn(t, { chatAppId, message: 'six days ago' });
    await turn(t, { chatAppId, sessionId: first.sessionId, message: 'today' });
    const now = nowSec();
    // The first turn was 6 days ago: its items (and the entry's floor) expire tomorrow; today's turn moved the session to now + 7 days.
    const old = (await itemsOf(first.sessionId)).filter((i) => i.sk === `MSG#${first.messageId}` || i.sk === 'INSIGHTS_STATUS');
    for (const item of old) await setExpiry({ pk: String(item.pk), sk: String(item.sk) }, now + DAY_SECONDS);
    await ageEntry(first.sessionId, now + DAY_SECONDS, now - 60);
    const session = await expiryOf(first.sessionId);
    expect(session).toBeGreaterThan(now + 6 * DAY_SECONDS);

    const counts = await sweepRetention(Date.now());
    expect(counts.renewed).toBeGreaterThanOrEqual(1);
    for (const item of await itemsOf(first.sessionId)) {
      if (/^(META|MSG#|HMSG#|INSIGHTS_STATUS|FEEDBACK#|FILE#|INSIGHTS)/.test(String(item.sk))) expect(item.expiresAt, String(item.sk)).toBe(session);
      if (String(item.sk).startsWith('DEBIT#')) expect(item.expiresAt as number).toBeLessThan(session); // its own TTL, untouched
    }
    const entry = (await getRetentionEntry(first.sessionId))!;
    expect(entry.floor).toBe(session);
    // Due again a day before the session would expire.
    expect(entry.dueKey.startsWith(new Date((session - DAY_SECONDS) * 1000).toISOString())).toBe(true);
  });

  it('an idle session: its files are noted before it expires and deleted from S3 when it does (even after TTL took the records), with items that would outlive it', async () => {
    const chatAppId = await chatApp(7);
    const t = await token(uid('u'));
    const { sessionId } = await turn(t, { chatAppId, message: 'with a file' });
    const file = await uploadFile(api, t, sessionId, 'notes.txt', 'text/plain', 'keep me a week');
    expect(await headObject(file.s3Key)).toBeDefined();

    const entry = await idleLook(sessionId);
    expect(entry.objects).toEqual([file.s3Key]);
    const expiry = await expiryOf(sessionId);
    expect(entry.dueKey.startsWith(new Date(expiry * 1000).toISOString())).toBe(true);
    expect(await headObject(file.s3Key)).toBeDefined(); // not before the session expires

    // Feedback written after the last message (a day later): it would outlive the session.
    const feedback = await api.call('POST', `/sessions/${sessionId}/feedback`, {
      token: t,
      body: { type: 'other', severity: 'low', title: 'late', description: 'after the last message' },
    });
    expect(feedback.status).toBe(201);
    await setExpiry(keys.feedback(sessionId, feedback.body.feedbackId), expiry + DAY_SECONDS);
    // DynamoDB TTL deletes the file record (and, in time, the rest) once the session expired.
    await ddb().send(new DeleteCommand({ TableName: tableName(), Key: { pk: keys.sessionPartition(sessionId), sk: `${FILE_PREFIX}${file.fileId}` } }));
    expect(await retainSession(entry, (expiry + 1) * 1000)).toBe('expired');
    expect(await headObject(file.s3Key)).toBeUndefined();
    expect(await getRetentionEntry(sessionId)).toBeUndefined();
    const left = await itemsOf(sessionId);
    expect(left.map((i) => String(i.sk).split('#')[0])).not.toContain('FEEDBACK');
    // What remains expires with the session (TTL's, at no cost).
    for (const item of left) expect(item.expiresAt as number, String(item.sk)).toBeLessThanOrEqual(expiry);
  });

  it('activity before the expiry revives an idle session: renewed, its files kept', async () => {
    const chatAppId = await chatApp(7);
    const t = await token(uid('u'));
    const { sessionId } = await turn(t, { chatAppId, message: 'first' });
    const file = await uploadFile(api, t, sessionId, 'a.txt', 'text/plain', 'still needed');
    const noted = await idleLook(sessionId);
    const expiry = await expiryOf(sessionId);
    // The user comes back a day later: that turn moves the session's expiry a day past the former one.
    await turn(t, { chatAppId, sessionId, message: 'back again' });
    await setExpiry(keys.session(sessionId), expiry + DAY_SECONDS);
    expect(await retainSession(noted, expiry * 1000)).toBe('renewed');
    const entry = (await getRetentionEntry(sessionId))!;
    expect(entry.objects).toEqual([]);
    expect(entry.floor).toBe(await expiryOf(sessionId));
    expect(await headObject(file.s3Key)).toBeDefined();
  });

  it('a renewal cut short changes what it reached and resumes on the next run; the session item is never moved by it', async () => {
    const chatAppId = await chatApp(7);
    const t = await token(uid('u'));
    const { sessionId } = await turn(t, { chatAppId, message: 'one' });
    const now = nowSec();
    for (const item of (await itemsOf(sessionId)).filter((i) => String(i.sk).startsWith('MSG#')))
      await setExpiry({ pk: String(item.pk), sk: String(item.sk) }, now + DAY_SECONDS);
    const target = now + 30 * DAY_SECONDS;
    expect(await renewSessionItems(sessionId, target, Date.now() - 1)).toBe(false);
    expect((await itemsOf(sessionId)).filter((i) => i.expiresAt === target)).toEqual([]);
    expect(await renewSessionItems(sessionId, target)).toBe(true);
    const after = await itemsOf(sessionId);
    for (const item of after.filter((i) => String(i.sk).startsWith('MSG#'))) expect(item.expiresAt).toBe(target);
    expect(after.find((i) => i.sk === 'META')!.expiresAt).not.toBe(target);
  });

  it('a session deleted by its user leaves no retention entry', async () => {
    const t = await token(uid('u'));
    const { sessionId } = await turn(t, { chatAppId: await chatApp(7), message: 'bye' });
    expect(await getRetentionEntry(sessionId)).toBeDefined();
    expect((await api.call('DELETE', `/sessions/${sessionId}`, { token: t })).status).toBe(202);
    expect(await getRetentionEntry(sessionId)).toBeUndefined();
  });
});
