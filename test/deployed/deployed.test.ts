/**
 * The deployed tier: the staging stage synthesized with its real bundles, each Lambda run from its asset
 * directory under AWS's runtime interface client on the runtime's Node.js (./lambda.ts: aws-lambda-ric against
 * a local Runtime API), with the template's environment, behind an API Gateway emulation read from the same
 * template (routes, REQUEST authorizer and its cache, proxy vs streaming integrations, MOCK 405s, gateway
 * responses). Real DynamoDB Local, the agent emulator, a Secrets Manager stand-in.
 *
 * Not covered here: IAM evaluation in AWS (a function calling something its role does not allow still works
 * locally; test/cdk/iam.test.ts and hardening.test.ts assert the policies), API Gateway quotas and
 * throttling, X-Ray, CloudWatch (EMF lines are checked as written, not as extracted).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/http/routes';
import { AUTHORIZER_FAILURES } from '../../functions/platform/metrics';
import { mintDevToken } from '../../scripts/local/tokens';
import { sampleInsights } from '../data/fixtures';
import { call, config, expectCors, expectError, sse, STAGE, stack, token, uid, useDeployedStage } from './harness';

useDeployedStage();

describe('every route through its deployed bundle', () => {
  it('answers a happy path of each route of the route table', async () => {
    const covered = new Set<string>();
    const ok = async (routeId: string, method: string, path: string, opts: Parameters<typeof call>[2], status = 200) => {
      const route = ROUTES.find((r) => r.id === routeId)!;
      expect(route.method).toBe(method);
      const c = await call(method, path, opts);
      expect(c.status, `${routeId}: ${JSON.stringify(c.body)}`).toBe(status);
      expectCors(c.res);
      covered.add(routeId);
      return c.body;
    };
    const site = await token(uid('site'), [config.roles.siteAdmin]);
    const admin = await token(uid('content'), [config.roles.contentAdmin]);
    const service = await token(uid('svc'), [config.roles.service]);
    const userId = uid('tier');
    const user = await token(userId, [], 'external-user');

    // Admin configuration: the agent registered at deploy (Custom::AWS) is there; a chat app uses it.
    const deployedAgent = Object.keys(config.bedrock.agents).find((id) => config.bedrock.agents[id]!.agent.kind === 'inline')!;
    expect((await ok('getAgent', 'GET', `/admin/agents/${deployedAgent}`, { token: site })).agentId).toBe(deployedAgent);
    const agentId = uid('agent');
    await ok('putAgent', 'PUT', `/admin/agents/${agentId}`, {
      token: site,
      body: {
        agent: {
          kind: 'inline',
          foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0',
          instruction: 'You answer questions about the product briefly and politely.',
        },
        pricing: { inputPer1kTokens: 0.001, outputPer1kTokens: 0.002 },
      },
    });
    const appId = uid('app');
    await ok('putChatApp', 'PUT', `/admin/chat-apps/${appId}`, {
      token: site,
      body: {
        title: 'Tier',
        enabled: true,
        agentId: deployedAgent,
        budgets: {}, // budget overrides apply (and are accepted) only in a chat app with budgets
        insightsModel: { modelId: 'insights-model', pricing: { inputPer1kTokens: 0.001, outputPer1kTokens: 0.002 } },
      },
    });
    expect((await ok('getChatApp', 'GET', `/admin/chat-apps/${appId}`, { token: site })).title).toBe('Tier');

    // Users.
    await ok('putUser', 'PUT', `/users/${userId}`, { token: service, body: { firstName: 'Tess', roles: [] } });
    expect((await ok('getMe', 'GET', '/users/me', { token: user })).userId).toBe(userId);
    expect((await ok('updateMe', 'PUT', '/users/me', { token: user, body: { firstName: 'Tia', lastName: 'R' } })).firstName).toBe('Tia');
    expect((await ok('getUser', 'GET', `/users/${userId}`, { token: admin })).firstName).toBe('Tia');
    expect((await ok('searchUsers', 'GET', `/users?prefix=${userId.slice(0, 12)}`, { token: admin })).items.map((u: any) => u.userId)).toContain(userId);
    // User memory: this stage registers no memory (the memory itself is covered in test/converse/memory.test.ts).
    expect(config.agentCoreMemories).toEqual([]);
    expect(await ok('listMyMemory', 'GET', '/users/me/memory', { token: user })).toEqual({ items: [] });
    expect(await ok('listUserMemory', 'GET', `/users/${userId}/memory`, { token: admin })).toEqual({ items: [] });
    expect((await ok('deleteMyMemoryRecord', 'DELETE', '/users/me/memory/pika_users-AbCdE12345:mem-1', { token: user }, 404)).error.code).toBe('NOT_FOUND');
    expect(await ok('forgetMyMemory', 'DELETE', '/users/me/memory', { token: user })).toEqual({ deleted: true, records: 0, events: 0 });

    // Sessions and messages.
    const session = await ok('createSession', 'POST', '/sessions', { token: user, body: { chatAppId: appId } }, 201);
    expect((await ok('listSessions', 'GET', '/sessions?limit=5', { token: user })).items.map((s: any) => s.sessionId)).toContain(session.sessionId);
    expect((await ok('getSession', 'GET', `/sessions/${session.sessionId}`, { token: user })).chatAppId).toBe(appId);
    expect((await ok('updateSession', 'PATCH', `/sessions/${session.sessionId}`, { token: user, body: { title: 'Renamed' } })).title).toBe('Renamed');
    expect(
      (await ok('searchSessions', 'POST', '/sessions/search', { token: user, body: { sessionId: session.sessionId } })).sessions.map((s: any) => s.sessionId),
    ).toEqual([session.sessionId]);

    // One turn (its SSE is checked in detail below), then the history.
    const turn = await call('POST', '/converse', { token: user, body: { chatAppId: appId, sessionId: session.sessionId, message: 'Hello tier' } });
    expect(turn.status).toBe(200);
    covered.add('converse');
    const messages = await ok('listMessages', 'GET', `/sessions/${session.sessionId}/messages`, { token: user });
    expect(messages.items).toHaveLength(2); // the question and the answer
    // The client protocols continue that session by its id (their frames: test/converse/ai-sdk.test.ts, ag-ui.test.ts).
    const uiMessage = { id: 'tier-ai-sdk', role: 'user', parts: [{ type: 'text', text: 'Hello AI SDK' }] };
    const aiSdk = await call('POST', '/converse/ai-sdk', {
      token: user,
      body: { chatAppId: appId, id: session.sessionId, trigger: 'submit-message', messages: [uiMessage] },
    });
    expect([aiSdk.status, aiSdk.res.headers['x-vercel-ai-ui-message-stream']]).toEqual([200, 'v1']);
    expect(aiSdk.res.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    covered.add('converseAiSdk');
    const run = {
      threadId: session.sessionId,
      runId: 'tier-run',
      messages: [{ id: 'tier-ag-ui', role: 'user', content: 'Hello AG-UI' }],
      forwardedProps: { chatAppId: appId },
    };
    const agUi = await call('POST', '/converse/ag-ui', { token: user, body: run });
    expect([agUi.status, agUi.res.headers['x-protocol']]).toEqual([200, 'ag-ui/1.0']);
    expect(agUi.res.body).toContain('"type":"RUN_FINISHED"');
    covered.add('converseAgUi');

    // Files: announced, uploaded as a browser does, read back through a download link.
    const announced = await ok(
      'createFileUpload',
      'POST',
      `/sessions/${session.sessionId}/files`,
      { token: user, body: { fileName: 'tier.txt', mimeType: 'text/plain', size: 4 } },
      201,
    );
    const form = new FormData();
    for (const [k, v] of Object.entries(announced.upload.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob(['tier'], { type: 'text/plain' }), 'tier.txt');
    expect((await fetch(announced.upload.url, { method: 'POST', body: form })).status).toBe(204);
    const link = await ok('getFile', 'GET', `/sessions/${session.sessionId}/files/${announced.file.fileId}`, { token: user });
    expect(await (await fetch(link.url)).text()).toBe('tier');

    // Feedback.
    const fb = await ok(
      'createFeedback',
      'POST',
      `/sessions/${session.sessionId}/feedback`,
      { token: user, body: { type: 'incorrect_response', severity: 'high', title: 'Wrong', description: 'It said 3' } },
      201,
    );
    expect((await ok('listSessionFeedback', 'GET', `/sessions/${session.sessionId}/feedback`, { token: user })).items).toHaveLength(1);
    const updated = await ok('updateFeedback', 'PATCH', `/sessions/${session.sessionId}/feedback/${fb.feedbackId}`, {
      token: admin,
      body: { status: 'in_progress', expectedLastUpdate: fb.lastUpdate },
    });
    expect(updated.status).toBe('in_progress');
    expect(
      (
        await ok(
          'addFeedbackComment',
          'POST',
          `/sessions/${session.sessionId}/feedback/${fb.feedbackId}/comments`,
          { token: admin, body: { comment: 'looking' } },
          201,
        )
      ).internalComments,
    ).toHaveLength(1);
    expect((await ok('listFeedback', 'GET', '/feedback?status=in_progress&limit=100', { token: admin })).items.map((f: any) => f.feedbackId)).toContain(
      fb.feedbackId,
    );

    // Insights.
    const insights = sampleInsights();
    await ok('putInsights', 'PUT', `/sessions/${session.sessionId}/insights`, { token: service, body: insights });
    expect(await ok('getInsights', 'GET', `/sessions/${session.sessionId}/insights`, { token: user })).toEqual(insights);
    // The turn's answer marked its activity due for generated insights (the chat app has an insightsModel).
    expect((await ok('getInsightsStatus', 'GET', `/sessions/${session.sessionId}/insights/status`, { token: admin })).status).toBe('pending');

    // Widget data.
    await ok('putWidgetData', 'PUT', '/widget-data/custom/form', { token: user, body: { data: { a: 1 } } });
    expect(await ok('getWidgetData', 'GET', '/widget-data/custom/form', { token: user })).toEqual({ scope: 'custom', tag: 'form', data: { a: 1 } });
    expect(await ok('deleteWidgetData', 'DELETE', '/widget-data/custom/form', { token: user })).toEqual({ deleted: true });

    // Budgets and usage: the three turns above are in the caller's usage and the chat app's report; overrides.
    expect((await ok('getMyUsage', 'GET', `/users/me/usage?chatAppId=${appId}`, { token: user })).totals.turns).toBe(3);
    expect((await ok('getMyBudget', 'GET', '/users/me/budget', { token: user })).items.map((i: any) => i.chatAppId)).toEqual([appId]);
    expect((await ok('getUsageReport', 'GET', `/admin/usage?chatAppId=${appId}&groupBy=user`, { token: admin })).items.map((i: any) => i.key)).toEqual([
      userId,
    ]);
    for (const [level, id] of [
      ['User', userId],
      ['Entity', 'acme'],
    ] as const) {
      const path = `/admin/chat-apps/${appId}/budgets/${level === 'User' ? 'users' : 'entities'}/${id}`;
      await ok(`put${level}Budget`, 'PUT', path, { token: site, body: { daily: { usd: 1 } } });
      expect((await ok(`get${level}Budget`, 'GET', path, { token: site })).daily).toEqual({ usd: 1 });
      expect(await ok(`delete${level}Budget`, 'DELETE', path, { token: site })).toEqual({ deleted: true });
    }

    // Nothing runs in the session now: the owner's stop request reaches the function and is a 409.
    expect((await ok('cancelSession', 'POST', `/sessions/${session.sessionId}/cancel`, { token: user }, 409)).error.code).toBe('CONFLICT');
    expect(await ok('deleteSession', 'DELETE', `/sessions/${session.sessionId}`, { token: user }, 202)).toEqual({ deleted: true });
    expectError(await call('GET', `/sessions/${session.sessionId}`, { token: user }), 404, 'NOT_FOUND');

    // Export: the job is queued (the SQS stand-in keeps it), its record readable by its owner only.
    const exporting = await ok('createMyExport', 'POST', '/users/me/exports', { token: user }, 202);
    expect(exporting).toMatchObject({ exportId: expect.any(String), status: 'running' });
    expect(await ok('getMyExport', 'GET', `/users/me/exports/${exporting.exportId}`, { token: user })).toMatchObject({ status: 'running' });
    expectError(await call('GET', `/users/me/exports/${exporting.exportId}`, { token: service }), 404, 'NOT_FOUND');

    // Erasure: the job is queued (SQS here is a stand-in that only keeps messages), its record readable.
    const leaving = uid('leaving');
    const leavingToken = await token(leaving);
    expectError(await call('GET', '/users/me/erasure', { token: leavingToken }), 404, 'NOT_FOUND');
    expect(await ok('eraseMe', 'DELETE', '/users/me', { token: leavingToken }, 202)).toMatchObject({ userId: leaving, status: 'running' });
    expect(await ok('getMyErasure', 'GET', '/users/me/erasure', { token: leavingToken })).toMatchObject({ status: 'running', requestedBy: 'user' });
    const erased = uid('erased');
    expect(await ok('eraseUser', 'DELETE', `/users/${erased}`, { token: site }, 202)).toMatchObject({ userId: erased, requestedBy: 'admin' });
    expect(await ok('getUserErasure', 'GET', `/users/${erased}/erasure`, { token: site })).toMatchObject({ status: 'running' });

    expect([...covered].sort()).toEqual(ROUTES.map((r) => r.id).sort());
  }, 60_000);
});

describe('streaming converse', () => {
  it('streams Server-Sent Events through the response-streaming integration: prelude status and headers, then session, chunks, done', async () => {
    const site = await token(uid('site'), [config.roles.siteAdmin]);
    const appId = uid('app');
    const agentId = Object.keys(config.bedrock.agents).find((id) => config.bedrock.agents[id]!.agent.kind === 'inline')!;
    expect((await call('PUT', `/admin/chat-apps/${appId}`, { token: site, body: { title: 'Stream', enabled: true, agentId } })).status).toBe(200);
    const user = await token(uid('streamer'));
    const { res } = await call('POST', '/converse', { token: user, body: { chatAppId: appId, message: 'Tell me something' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['cache-control']).toBe('no-cache');
    expectCors(res);
    // Each SSE frame is its own write, and the body never starts with the prelude or its NUL delimiter.
    expect(res.chunks.length).toBeGreaterThan(3);
    expect(res.body.startsWith('event: session\n')).toBe(true);
    for (const chunk of res.chunks) expect(chunk).toMatch(/^(event: \w+\ndata: .+|: \w+)\n\n$/s);
    const events = await sse(res.body);
    expect(events[0]!.event).toBe('session');
    expect(events.at(-1)!.event).toBe('done');
    const text = events
      .filter((e) => e.event === 'chunk')
      .map((e) => e.data.text ?? e.data.chunk ?? e.data.content ?? '')
      .join('');
    expect(text).toBe('You said: Tell me something');
    expect(events.at(-1)!.data).toMatchObject({ sessionId: events[0]!.data.sessionId, messageId: expect.any(String) });

    // A refusal before the stream starts is a plain JSON error with its status, through the same integration.
    const refused = await call('POST', '/converse', { token: user, body: { chatAppId: uid('nope'), message: 'x' } });
    expect(refused.res.headers['content-type']).toBe('application/json');
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(refused.body.error.code).toMatch(/^[A-Z_]+$/);
    expectCors(refused.res);
  }, 30_000);
});

describe('code splitting in the deployed bundles', () => {
  /** The files of a function's asset directory whose code contains `marker` (a string of one client package). */
  const filesWith = (name: string, marker: string) => {
    const dir = stack.lambda.functions.get(stack.functionIds[name]!)!.dir;
    return readdirSync(dir).filter((f) => readFileSync(join(dir, f), 'utf8').includes(marker));
  };
  const loaded = (name: string) => stack.lambda.modulesOf(stack.functionIds[name]!);

  it('a cold start loads index.mjs and the chunks it imports; the S3 client\u2019s chunk loads with the first file route, the agent client\u2019s with the first turn, and both run from there', async () => {
    const [s3Chunk, ...moreS3] = filesWith('sessions', '"AmazonS3"');
    const [agentChunk, ...moreAgent] = filesWith('converse', '"AmazonBedrockAgentRunTimeService"');
    expect([s3Chunk, agentChunk]).toEqual([expect.stringMatching(/^chunk-\w+\.mjs$/), expect.stringMatching(/^chunk-\w+\.mjs$/)]);
    expect([...moreS3, ...moreAgent]).toEqual([]);
    await stack.lambda.dispose(stack.functionIds.sessions!);
    await stack.lambda.dispose(stack.functionIds.converse!);

    const site = await token(uid('site'), [config.roles.siteAdmin]);
    const appId = uid('app');
    const agentId = Object.keys(config.bedrock.agents).find((id) => config.bedrock.agents[id]!.agent.kind === 'inline')!;
    expect((await call('PUT', `/admin/chat-apps/${appId}`, { token: site, body: { title: 'Split', enabled: true, agentId } })).status).toBe(200);
    const user = await token(uid('split'));

    const session = await call('POST', '/sessions', { token: user, body: { chatAppId: appId } });
    expect(session.status).toBe(201);
    expect(loaded('sessions')[0]).toBe('index.mjs');
    expect(loaded('sessions')).not.toContain(s3Chunk);
    const upload = await call('POST', `/sessions/${session.body.sessionId}/files`, {
      token: user,
      body: { fileName: 'split.txt', mimeType: 'text/plain', size: 5 },
    });
    expect(upload.status, JSON.stringify(upload.body)).toBe(201);
    expect(loaded('sessions')).toContain(s3Chunk);

    const refused = await call('POST', '/converse', { token: user, body: { chatAppId: uid('nope'), message: 'x' } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(loaded('converse')[0]).toBe('index.mjs');
    expect(loaded('converse')).not.toContain(agentChunk);
    const turn = await call('POST', '/converse', { token: user, body: { chatAppId: appId, sessionId: session.body.sessionId, message: 'Split me' } });
    expect(turn.status).toBe(200);
    expect((await sse(turn.body)).at(-1)!.event).toBe('done');
    expect(loaded('converse')).toContain(agentChunk);
  }, 30_000);
});

describe('the authorizer at the edge', () => {
  it('answers a missing or refused token with the 401 gateway response in the API\u2019s error shape, with CORS', async () => {
    const before = stack.gateway.authorizerCalls.length;
    const missing = await call('GET', '/users/me');
    expectError(missing, 401, 'UNAUTHORIZED');
    expectCors(missing.res);
    expect(stack.gateway.authorizerCalls.length).toBe(before); // not even invoked without the identity source

    const forged = await mintDevToken({
      userId: 'mallory',
      secret: 'not-the-key-0123456789-0123456789',
      issuer: 'https://auth.example.com/',
      audience: 'pika-chat',
    });
    const refused = await call('GET', '/sessions', { token: forged });
    expectError(refused, 401, 'UNAUTHORIZED');
    expect(refused.body.error.message).toBe('Unauthorized');
    expect(refused.res.gatewayResponse).toBe('UNAUTHORIZED');
    expectCors(refused.res);
    const authorizerId = stack.functionIds.authorizer!;
    expect(stack.lambda.invocations.filter((i) => i.functionId === authorizerId).at(-1)).toMatchObject({
      outcome: 'error',
      error: { errorMessage: 'Unauthorized' },
    });
  });

  it('is asked once per Authorization header, its answer cached across routes and functions', async () => {
    const t = await token(uid('cached'));
    const header = `Bearer ${t}`;
    for (const [method, path] of [
      ['GET', '/users/me'],
      ['GET', '/sessions'],
      ['GET', '/widget-data/custom/none'],
      ['GET', '/users/me'],
    ] as const) {
      const c = await call(method, path, { token: t });
      expect(c.status, `${method} ${path}`).toBeLessThan(500);
      expect(c.status).not.toBe(401);
    }
    expect(stack.gateway.authorizerCalls.filter((h) => h === header)).toHaveLength(1);
    // Another token is another cache entry.
    await call('GET', '/users/me', { token: await token(uid('other')) });
    expect(stack.gateway.authorizerCalls.filter((h) => h === header)).toHaveLength(1);
  });

  it('answers API Gateway\u2019s own errors as JSON with CORS: unknown route 404, wrong method 405 with Allow, missing query 400', async () => {
    const t = await token(uid('gw'));
    const unknown = await call('GET', '/no/such/route', { token: t });
    expectError(unknown, 404, 'NOT_FOUND');
    expectCors(unknown.res);
    const wrong = await call('POST', '/users/me', { token: t });
    expectError(wrong, 405, 'METHOD_NOT_ALLOWED');
    expect(wrong.res.headers.allow).toBe('DELETE, GET, PUT');
    const noPrefix = await call('GET', '/users', { token: await token(uid('admin'), [config.roles.contentAdmin]) });
    expectError(noPrefix, 400, 'VALIDATION_FAILED');
    expectCors(noPrefix.res);
  });
});

describe('secrets at cold start', () => {
  const authorizerId = () => stack.functionIds.authorizer!;
  const lastOf = (fnId: string) => stack.lambda.invocations.filter((i) => i.functionId === fnId).at(-1);

  it('a hung Secrets Manager in the authorizer\u2019s cold start: 503 DEPENDENCY_UNAVAILABLE with CORS (not a Lambda timeout), counted; the next request succeeds', async () => {
    await stack.lambda.dispose(); // every function cold
    stack.gateway.clearAuthorizerCache();
    const t = await token(uid('cold'));
    stack.secrets.mode = 'hang';
    const asked = stack.secrets.requests.length;
    const failed = await call('GET', '/users/me', { token: t });
    expectError(failed, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(failed.res.gatewayResponse).toBe('AUTHORIZER_CONFIGURATION_ERROR');
    expectCors(failed.res);
    expect(stack.secrets.requests.length).toBeGreaterThan(asked);
    // The authorizer itself gave up (SDK timeouts), well before its Lambda timeout, and said so.
    expect(lastOf(authorizerId())).toMatchObject({ outcome: 'error' });
    expect(lastOf(authorizerId())!.error!.errorMessage).not.toBe('Unauthorized');
    const emf = (stack.lambda.output.get(authorizerId()) ?? []).filter((l) => l.startsWith('{') && JSON.parse(l)[AUTHORIZER_FAILURES] === 1);
    expect(emf).toHaveLength(1);
    expect(JSON.parse(emf[0]!)).toMatchObject({
      service: `pika-chat-${STAGE}`,
      _aws: { CloudWatchMetrics: [{ Namespace: 'PikaChat', Metrics: [{ Name: AUTHORIZER_FAILURES }] }] },
    });

    stack.secrets.mode = 'answer';
    const retried = await call('GET', '/users/me', { token: t });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
  }, 30_000);

  it('a hung Secrets Manager in a route function\u2019s cold start: its own 503 JSON within its timeout; the next request succeeds', async () => {
    const usersId = stack.functionIds.users!;
    await stack.lambda.dispose(usersId);
    const t = await token(uid('cold-fn'));
    stack.secrets.mode = 'hang';
    const failed = await call('GET', '/users/me', { token: t }); // the warm authorizer has its key already
    expectError(failed, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(failed.res.gatewayResponse).toBeUndefined();
    expectCors(failed.res);
    expect(lastOf(usersId)).toMatchObject({ outcome: 'ok' });
    stack.secrets.mode = 'answer';
    expect((await call('GET', '/users/me', { token: t })).status).toBe(200);
  }, 30_000);
});
