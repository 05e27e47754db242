/**
 * Human in the loop's pure parts (issue 26 item 6): Classic return-of-control payloads as asks and the answers as
 * `returnControlInvocationResults` (functions and API operations), harness tool uses held until answered, and
 * the check of the client's answers against what the session awaits.
 */
import { describe, expect, it } from 'vitest';
import { pendingCallOf, resumeOf } from '../../functions/converse/client-tools';
import { asksOf, returnControlState } from '../../functions/converse/providers/classic-return-control';
import { inlineCalls } from '../../functions/converse/providers/harness-inline';
import type { AwaitingClient } from '../../functions/data/items';

const api = {
  apiInvocationInput: {
    actionGroup: 'shop',
    httpMethod: 'POST',
    apiPath: '/orders/{id}/refund',
    actionInvocationType: 'USER_CONFIRMATION_AND_RESULT' as const,
    parameters: [{ name: 'id', type: 'string', value: '42' }],
    requestBody: { content: { 'application/json': { properties: [{ name: 'amount', type: 'number', value: '10' }] } } },
  },
};

describe('Agents Classic return of control', () => {
  it('one ask per invocation input: ids from the invocation id, an API operation named for the client, confirmations as approvals', () => {
    const asks = [
      ...asksOf({
        invocationId: 'inv-1',
        invocationInputs: [{ functionInvocationInput: { actionGroup: 'orders', function: 'lookup', actionInvocationType: 'RESULT' } }, api],
      }),
    ];
    expect(asks).toEqual([
      { type: 'ask', toolCallId: 'inv-1.0', invocationId: 'inv-1', name: 'lookup', input: {}, provider: { actionGroup: 'orders', function: 'lookup' } },
      {
        type: 'ask',
        toolCallId: 'inv-1.1',
        invocationId: 'inv-1',
        name: 'shop.POST_orders__id__refund',
        input: { id: '42', body: { amount: '10' } },
        confirm: true,
        provider: { actionGroup: 'shop', apiPath: '/orders/{id}/refund', httpMethod: 'POST' },
      },
    ]);
  });

  it('answers as functionResult / apiResult: output as the response body, failures as FAILURE, approvals as CONFIRM / DENY', () => {
    const call = (kind: 'client-tool' | 'approval', provider: Record<string, unknown>) => ({ toolCallId: 'inv-1.0', name: 'x', kind, input: {}, provider });
    const fn = { actionGroup: 'orders', function: 'lookup' };
    const apiP = { actionGroup: 'shop', apiPath: '/p', httpMethod: 'GET' };
    expect(
      returnControlState({
        invocationId: 'inv-1',
        results: [
          { ...call('client-tool', fn), output: 'ok' },
          { ...call('client-tool', fn), output: 'boom', isError: true },
          { ...call('approval', fn), approved: false },
          { ...call('client-tool', apiP), output: '{"a":1}' },
          { ...call('approval', apiP), approved: true },
        ],
      }),
    ).toEqual({
      invocationId: 'inv-1',
      returnControlInvocationResults: [
        { functionResult: { ...fn, responseBody: { TEXT: { body: 'ok' } } } },
        { functionResult: { ...fn, responseBody: { TEXT: { body: 'boom' } }, responseState: 'FAILURE' } },
        { functionResult: { ...fn, confirmationState: 'DENY' } },
        { apiResult: { ...apiP, responseBody: { 'application/json': { body: '{"a":1}' } }, httpStatusCode: 200 } },
        { apiResult: { ...apiP, confirmationState: 'CONFIRM' } },
      ],
    });
  });
});

describe('harness tool uses', () => {
  it('a use the harness answers is relayed with its result; one it stops on is an ask', () => {
    const calls = inlineCalls();
    const use = (id: string) => ({ type: 'tool' as const, phase: 'use' as const, toolUseId: id, name: `t-${id}`, input: '{"q":1}' });
    calls.used(use('a'));
    calls.used(use('b'));
    expect([...calls.answered('a')]).toEqual([use('a')]);
    expect([...calls.answered('a')]).toEqual([]);
    expect([...calls.asks()]).toEqual([{ type: 'ask', toolCallId: 'b', name: 't-b', input: { q: 1 } }]);
    expect([...calls.unanswered()]).toEqual([use('b')]);
  });
});

describe('the client answers', () => {
  const awaiting: AwaitingClient = {
    messageId: 'm1',
    agentId: 'agent-1',
    calls: [
      { toolCallId: 'c1', name: 'lookup', kind: 'client-tool', input: {} },
      { toolCallId: 'c2', name: 'cancel', kind: 'approval', input: {} },
    ],
  };
  const error = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      const e = err as { code: string; details: unknown };
      return { code: e.code, details: e.details };
    }
    throw new Error('no error');
  };

  it('every pending call answered once, each of its kind; a declined client tool is a failed call', () => {
    const resumed = resumeOf(
      awaiting,
      [
        { toolCallId: 'c2', approved: true },
        { toolCallId: 'c1', approved: false },
      ],
      'agent-1',
    );
    expect(resumed.results.map((r) => [r.toolCallId, r.approved, r.isError, r.output])).toEqual([
      ['c2', true, undefined, undefined],
      ['c1', false, true, 'The user declined to run this function'],
    ]);
    expect(error(() => resumeOf(awaiting, [{ toolCallId: 'c1', output: 'x' }], 'agent-1')).details).toEqual([
      { path: 'body.toolResults', message: 'incomplete' },
    ]);
    expect(
      error(() =>
        resumeOf(
          awaiting,
          [
            { toolCallId: 'c1', approved: true },
            { toolCallId: 'c2', approved: true },
          ],
          'agent-1',
        ),
      ).details,
    ).toEqual([{ path: 'body.toolResults.0.approved', message: 'give output (or approved: false to decline)' }]);
    expect(
      error(() =>
        resumeOf(
          awaiting,
          [
            { toolCallId: 'c1', output: 'x' },
            { toolCallId: 'c2', approved: true },
          ],
          'agent-2',
        ),
      ).code,
    ).toBe('VALIDATION_FAILED');
    expect(error(() => resumeOf(undefined, [{ toolCallId: 'c1', output: 'x' }], 'agent-1')).code).toBe('CONFLICT');
  });

  it("from a library's history, answers to calls no longer pending are ignored (never on /converse)", () => {
    const answers = [
      { toolCallId: 'old', output: 'x' },
      { toolCallId: 'c1', output: 'y' },
      { toolCallId: 'c2', approved: false },
    ];
    expect(resumeOf(awaiting, answers, 'agent-1', { fromHistory: true }).results.map((r) => r.toolCallId)).toEqual(['c1', 'c2']);
    expect(error(() => resumeOf(awaiting, answers, 'agent-1')).details).toEqual([{ path: 'body.toolResults.0.toolCallId', message: 'unknown tool call' }]);
  });

  it('an ask for a function the chat app does not name fails the turn; approval comes from the agent or the chat app', () => {
    const app = { clientTools: [{ name: 'lookup' }, { name: 'cancel', approval: true }] } as never;
    const ask = (name: string, confirm?: boolean) => ({ type: 'ask' as const, toolCallId: 'c', name, input: {}, ...(confirm ? { confirm } : {}) });
    expect(pendingCallOf(app, ask('lookup'), 0).kind).toBe('client-tool');
    expect(pendingCallOf(app, ask('lookup', true), 0).kind).toBe('approval');
    expect(pendingCallOf(app, ask('cancel'), 0).kind).toBe('approval');
    expect(error(() => pendingCallOf(app, ask('other'), 0)).code).toBe('AGENT_ERROR');
    expect(error(() => pendingCallOf(app, ask('lookup'), 10)).code).toBe('AGENT_ERROR');
  });
});
