/**
 * The authorization matrix, generated from the route table: every route x every kind of caller, with the
 * status each must get. A route without a row here fails the test, so a new route cannot ship unreviewed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { putBudgetOverride } from '../../functions/data/budgets';
import { tableName } from '../../functions/data/client';
import { appendMessage } from '../../functions/data/messages';
import { startExport } from '../../functions/data/exports';
import { pendingStatusItem } from '../../functions/data/insights-status';
import { ROUTES, type RouteId } from '../../functions/http/routes';
import { badTokens, expectErrorShape, ROLES, token, uid } from '../api/harness';
import { sampleInsights } from '../data/fixtures';
import { converse, useConverse } from '../converse/harness';
import { agUiBody, aiSdkBody, postProtocol } from '../converse/protocol-harness';
import { memoryIdOf } from 'pika-shared/schemas';
import { actorIdFor } from '../../functions/memory/registry';
import { DEMO_MEMORY_ARN } from '../../scripts/local/demo-memory';
import { uploadedFile } from '../api/files-harness';
import { undeclared, expectDeclared } from '../api/declared';

const { api, emulator } = useConverse();

/** Budget overrides apply only in a chat app with `budgets` (elsewhere 409): the budget routes use this one. */
const BUDGETED_APP = uid('matrix-budgets');
beforeAll(async () => {
  const site = await token(uid('sadmin'), [ROLES.siteAdmin]);
  const r = await api.call('PUT', `/admin/chat-apps/${BUDGETED_APP}`, {
    token: site,
    body: { title: 'Matrix budgets', enabled: true, agentId: 'echo', budgets: {} },
  });
  expect(r.status).toBe(200);
});

const CALLERS = ['owner', 'other', 'contentAdmin', 'siteAdmin', 'service', 'none', 'expired', 'forged', 'wrongAudience'] as const;
type Caller = (typeof CALLERS)[number];
type Row = Record<'owner' | 'other' | 'contentAdmin' | 'siteAdmin' | 'service', number>;

/** Expected status per route for the signed-in callers; the four bad-token callers always get 401. */
const MATRIX: Record<RouteId, Row> = {
  getMe: { owner: 200, other: 200, contentAdmin: 200, siteAdmin: 200, service: 200 },
  updateMe: { owner: 200, other: 200, contentAdmin: 200, siteAdmin: 200, service: 200 },
  searchUsers: { owner: 403, other: 403, contentAdmin: 200, siteAdmin: 200, service: 403 },
  getUser: { owner: 403, other: 403, contentAdmin: 200, siteAdmin: 200, service: 200 },
  putUser: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 200, service: 200 },
  listMyMemory: { owner: 200, other: 200, contentAdmin: 200, siteAdmin: 200, service: 200 },
  forgetMyMemory: { owner: 200, other: 200, contentAdmin: 200, siteAdmin: 200, service: 200 },
  // Everyone names the owner's record under /users/me: only the owner finds it.
  deleteMyMemoryRecord: { owner: 200, other: 404, contentAdmin: 404, siteAdmin: 404, service: 404 },
  listUserMemory: { owner: 403, other: 403, contentAdmin: 200, siteAdmin: 200, service: 403 },
  // Everyone may erase themselves; only site admins another user. No erasure was asked in the world: 404 shows
  // the caller got past authorization.
  eraseMe: { owner: 202, other: 202, contentAdmin: 202, siteAdmin: 202, service: 202 },
  getMyErasure: { owner: 404, other: 404, contentAdmin: 404, siteAdmin: 404, service: 404 },
  eraseUser: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 202, service: 403 },
  getUserErasure: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 404, service: 403 },
  // The owner's export started in the world still runs (no job): 409 shows the owner got past authorization;
  // anyone else starts their own. Everyone names the owner's export under /users/me: only the owner finds it.
  createMyExport: { owner: 409, other: 202, contentAdmin: 202, siteAdmin: 202, service: 202 },
  getMyExport: { owner: 200, other: 404, contentAdmin: 404, siteAdmin: 404, service: 404 },
  createSession: { owner: 201, other: 201, contentAdmin: 201, siteAdmin: 201, service: 201 },
  listSessions: { owner: 200, other: 200, contentAdmin: 200, siteAdmin: 200, service: 200 },
  searchSessions: { owner: 200, other: 403, contentAdmin: 200, siteAdmin: 200, service: 200 },
  getSession: { owner: 200, other: 404, contentAdmin: 200, siteAdmin: 200, service: 200 },
  updateSession: { owner: 200, other: 404, contentAdmin: 403, siteAdmin: 403, service: 403 },
  deleteSession: { owner: 202, other: 404, contentAdmin: 404, siteAdmin: 404, service: 404 },
  // Nothing runs in the owner's session here: 409 shows the owner got past authorization.
  cancelSession: { owner: 409, other: 404, contentAdmin: 404, siteAdmin: 404, service: 404 },
  listMessages: { owner: 200, other: 404, contentAdmin: 200, siteAdmin: 200, service: 200 },
  createFileUpload: { owner: 201, other: 404, contentAdmin: 404, siteAdmin: 404, service: 404 },
  getFile: { owner: 200, other: 404, contentAdmin: 200, siteAdmin: 200, service: 200 },
  createFeedback: { owner: 201, other: 404, contentAdmin: 201, siteAdmin: 201, service: 201 },
  listSessionFeedback: { owner: 200, other: 404, contentAdmin: 200, siteAdmin: 200, service: 200 },
  updateFeedback: { owner: 403, other: 403, contentAdmin: 200, siteAdmin: 200, service: 403 },
  addFeedbackComment: { owner: 403, other: 403, contentAdmin: 201, siteAdmin: 201, service: 403 },
  listFeedback: { owner: 403, other: 403, contentAdmin: 200, siteAdmin: 200, service: 403 },
  getInsights: { owner: 200, other: 404, contentAdmin: 200, siteAdmin: 200, service: 200 },
  putInsights: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 403, service: 200 },
  getInsightsStatus: { owner: 403, other: 403, contentAdmin: 200, siteAdmin: 200, service: 403 },
  getWidgetData: { owner: 200, other: 404, contentAdmin: 404, siteAdmin: 404, service: 404 },
  putWidgetData: { owner: 200, other: 200, contentAdmin: 200, siteAdmin: 200, service: 200 },
  deleteWidgetData: { owner: 200, other: 404, contentAdmin: 404, siteAdmin: 404, service: 404 },
  getChatApp: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 200, service: 403 },
  putChatApp: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 200, service: 403 },
  getAgent: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 200, service: 403 },
  putAgent: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 200, service: 403 },
  converse: { owner: 200, other: 404, contentAdmin: 403, siteAdmin: 403, service: 404 },
  // The client protocols name the owner's session by its id as their conversation id: the same rule as converse.
  converseAiSdk: { owner: 200, other: 404, contentAdmin: 403, siteAdmin: 403, service: 404 },
  converseAgUi: { owner: 200, other: 404, contentAdmin: 403, siteAdmin: 403, service: 404 },
  // Budgets and usage: everyone reads their own; overrides are site-admin config; reports for content-admins.
  getMyBudget: { owner: 200, other: 200, contentAdmin: 200, siteAdmin: 200, service: 200 },
  getMyUsage: { owner: 200, other: 200, contentAdmin: 200, siteAdmin: 200, service: 200 },
  getUserBudget: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 200, service: 403 },
  putUserBudget: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 200, service: 403 },
  deleteUserBudget: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 200, service: 403 },
  getEntityBudget: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 200, service: 403 },
  putEntityBudget: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 200, service: 403 },
  deleteEntityBudget: { owner: 403, other: 403, contentAdmin: 403, siteAdmin: 200, service: 403 },
  getUsageReport: { owner: 403, other: 403, contentAdmin: 200, siteAdmin: 200, service: 403 },
};

/** The owner's export (its record, without a job: it stays running), started once per owner. */
const exports = new Map<string, string>();
const exportOf = async (ownerId: string) => exports.get(ownerId) ?? exports.set(ownerId, (await startExport(ownerId)).exportId).get(ownerId)!;

/** The owner's data, fresh per cell so that deletes and writes do not affect other cells. */
async function ownerWorld(ownerId: string, ownerToken: string, withFile = false) {
  await api.call('PUT', '/users/me', { token: ownerToken, body: { firstName: 'Owner' } });
  const session = (await api.call('POST', '/sessions', { token: ownerToken, body: { chatAppId: 'demo' } })).body;
  await appendMessage({
    userId: ownerId,
    sessionId: session.sessionId,
    role: 'user',
    content: 'hello',
    source: 'user',
    transactItems: (at) => [{ Put: { TableName: tableName(), Item: pendingStatusItem(session, at.createDate, at.createDate) } }],
  });
  const feedback = (
    await api.call('POST', `/sessions/${session.sessionId}/feedback`, {
      token: ownerToken,
      body: { type: 'other', severity: 'low', title: 't', description: 'd' },
    })
  ).body;
  const svc = await token(uid('svc'), [ROLES.service]);
  await api.call('PUT', `/sessions/${session.sessionId}/insights`, { token: svc, body: sampleInsights() });
  await api.call('PUT', '/widget-data/custom/matrix', { token: ownerToken, body: { data: { a: 1 } } });
  const record = emulator().memory.addRecord(memoryIdOf(DEMO_MEMORY_ARN)!, actorIdFor(ownerId), 'matrix fact');
  const fileId = withFile ? await uploadedFile(api, ownerToken, session.sessionId, 'matrix.txt', 'text/plain', 'matrix') : '';
  await putBudgetOverride(BUDGETED_APP, 'user', ownerId, { daily: { usd: 100 } });
  await putBudgetOverride(BUDGETED_APP, 'entity', 'matrix-entity', { monthly: { tokens: 1_000_000 } });
  return {
    sessionId: session.sessionId as string,
    feedbackId: feedback.feedbackId as string,
    recordId: `${memoryIdOf(DEMO_MEMORY_ARN)}:${record.memoryRecordId}`,
    fileId,
    exportId: await exportOf(ownerId),
  };
}

function request(
  routeId: RouteId,
  ownerId: string,
  ids: { sessionId: string; feedbackId: string; recordId: string; fileId: string; exportId: string },
): { path: string; body?: unknown } {
  const route = ROUTES.find((r) => r.id === routeId)!;
  const params: Record<string, string> = {
    sessionId: ids.sessionId,
    feedbackId: ids.feedbackId,
    fileId: ids.fileId,
    userId: ownerId,
    scope: 'custom',
    tag: 'matrix',
    chatAppId: route.path.includes('/budgets/') ? BUDGETED_APP : 'demo',
    agentId: 'echo',
    recordId: ids.recordId,
    entityId: 'matrix-entity',
    exportId: ids.exportId,
  };
  let path = route.path.replace(/\{(\w+)\}/g, (_, n: string) => params[n]!);
  const bodies: Partial<Record<RouteId, unknown>> = {
    updateMe: { firstName: 'X' },
    putUser: { firstName: 'Owner' },
    createSession: { chatAppId: 'demo' },
    searchSessions: { userId: ownerId },
    updateSession: { title: 'renamed' },
    createFeedback: { type: 'other', severity: 'low', title: 't', description: 'd' },
    updateFeedback: { status: 'in_progress' },
    addFeedbackComment: { comment: 'c' },
    createFileUpload: { fileName: 'a.txt', mimeType: 'text/plain', size: 5 },
    putInsights: sampleInsights(),
    putWidgetData: { data: { b: 2 }, partial: true },
    putChatApp: {
      title: 'Demo (echo agent)',
      enabled: true,
      agentId: 'echo',
      allowedAgentIds: ['echo', 'echo-attributes'],
      features: { traces: { featureId: 'traces', enabled: true } },
      streamTraces: true,
    },
    putAgent: {
      agent: { kind: 'bedrock-agent', bedrockAgentId: 'echo', bedrockAgentAliasId: 'TSTALIASID' },
      pricing: { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 },
      titleModel: { modelId: 'title-model', pricing: { inputPer1kTokens: 0.00025, outputPer1kTokens: 0.00125 } },
    },
    converse: { sessionId: ids.sessionId, message: 'matrix' },
    converseAiSdk: aiSdkBody(ids.sessionId, 'demo', 'matrix'),
    converseAgUi: agUiBody(ids.sessionId, 'demo', 'matrix'),
    putUserBudget: { daily: { usd: 100 } },
    putEntityBudget: { monthly: { tokens: 1_000_000 } },
  };
  if (routeId === 'searchUsers') path += `?prefix=${ownerId.slice(0, 8)}`;
  if (routeId === 'getMyUsage' || routeId === 'getUsageReport') path += '?chatAppId=demo';
  return { path, ...(bodies[routeId] !== undefined ? { body: bodies[routeId] } : {}) };
}

describe('authorization matrix', () => {
  it('covers every route of the route table', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(ROUTES.map((r) => r.id).sort());
  });

  it('every status of the matrix is one its route declares in the OpenAPI document', () => {
    const problems = Object.entries(MATRIX).flatMap(([id, row]) => [...Object.values(row), 401].map((s) => undeclared(id, s)).filter(Boolean));
    expect(problems).toEqual([]);
  });

  for (const route of ROUTES) {
    it(`${route.id}: ${route.method} ${route.path}`, async () => {
      const ownerId = uid('owner');
      const tokens: Record<Caller, string | undefined> = {
        owner: await token(ownerId),
        other: await token(uid('other')),
        contentAdmin: await token(uid('cadmin'), [ROLES.contentAdmin]),
        siteAdmin: await token(uid('sadmin'), [ROLES.siteAdmin]),
        service: await token(uid('svc'), [ROLES.service]),
        none: undefined,
        ...(await badTokens(ownerId)),
      } as Record<Caller, string | undefined>;
      for (const caller of CALLERS) {
        const ids = await ownerWorld(ownerId, tokens.owner!, route.id === 'getFile');
        const { path, body } = request(route.id as RouteId, ownerId, ids);
        const expected = caller in MATRIX[route.id as RouteId] ? MATRIX[route.id as RouteId][caller as keyof Row] : 401;
        if (route.id === 'converse') {
          const r = await converse(api.url, tokens[caller] ?? '', body);
          expect(r.status, `${route.id} as ${caller}`).toBe(expected);
          expectDeclared(route.id, r.status, undefined, caller);
          if (expected === 200) expect(r.events.at(-1)?.event).toBe('done');
          else expect(r.error?.error?.code, `${route.id} as ${caller}`).toBeTruthy();
          continue;
        }
        if (route.id === 'converseAiSdk' || route.id === 'converseAgUi') {
          const r = await postProtocol(api.url, path, tokens[caller], body);
          expect(r.status, `${route.id} as ${caller}`).toBe(expected);
          expectDeclared(route.id, r.status, undefined, caller);
          if (expected === 200) expect(r.frames.at(-1)).toEqual(route.id === 'converseAiSdk' ? '[DONE]' : expect.objectContaining({ type: 'RUN_FINISHED' }));
          else expect(r.error?.error?.code, `${route.id} as ${caller}`).toBeTruthy();
          continue;
        }
        const r = await api.call(route.method, path, { ...(tokens[caller] ? { token: tokens[caller] } : {}), ...(body !== undefined ? { body } : {}) });
        expect(r.status, `${route.id} as ${caller}: ${JSON.stringify(r.body).slice(0, 200)}`).toBe(expected);
        expectDeclared(route.id, r.status, r.headers, caller);
        if (expected >= 400) expectErrorShape(r, expected);
      }
    });
  }
});
