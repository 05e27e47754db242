/**
 * Agents Classic return of control (docs/converse.md#human-in-the-loop): a `returnControl` event (an action
 * group with RETURN_CONTROL, or a function with requireConfirmation) becomes one `ask` per invocation input,
 * and the client's answers go back as `sessionState.returnControlInvocationResults` with the `invocationId`.
 */
import type { InvocationResultMember, ReturnControlPayload } from '@aws-sdk/client-bedrock-agent-runtime';
import type { AskEvent, ResumeInput } from './events';

/** Parameters ([{ name, type, value }]) as an object of their values. */
const valuesOf = (params: { name?: string; value?: string }[] | undefined) =>
  Object.fromEntries((params ?? []).flatMap((p) => (p.name ? [[p.name, p.value ?? '']] : [])));

const isConfirmation = (type: string | undefined) => type === 'USER_CONFIRMATION' || type === 'USER_CONFIRMATION_AND_RESULT';

/**
 * The asks of a returnControl payload. Classic invocation inputs have no ids of their own: a call's id is
 * `<invocationId>.<index>`. A function is named by its function name; an API operation by `<actionGroup>.<METHOD><path>`
 * with `/` as `_` (kept to the characters of a tool name).
 */
export function* asksOf(payload: ReturnControlPayload): Generator<AskEvent> {
  const invocationId = payload.invocationId ?? '';
  for (const [i, member] of (payload.invocationInputs ?? []).entries()) {
    const toolCallId = `${invocationId}.${i}`;
    const fn = member.functionInvocationInput;
    const api = member.apiInvocationInput;
    if (fn) {
      yield {
        type: 'ask',
        toolCallId,
        invocationId,
        name: fn.function ?? '',
        input: valuesOf(fn.parameters),
        ...(isConfirmation(fn.actionInvocationType) ? { confirm: true } : {}),
        provider: { actionGroup: fn.actionGroup, function: fn.function, ...(fn.agentId ? { agentId: fn.agentId } : {}) },
      };
    } else if (api) {
      const body = api.requestBody?.content?.['application/json']?.properties;
      yield {
        type: 'ask',
        toolCallId,
        invocationId,
        name: `${api.actionGroup}.${api.httpMethod ?? ''}${api.apiPath ?? ''}`.replace(/[^A-Za-z0-9_.:-]/g, '_'),
        input: { ...valuesOf(api.parameters), ...(body ? { body: valuesOf(body) } : {}) },
        ...(isConfirmation(api.actionInvocationType) ? { confirm: true } : {}),
        provider: { actionGroup: api.actionGroup, apiPath: api.apiPath, httpMethod: api.httpMethod, ...(api.agentId ? { agentId: api.agentId } : {}) },
      };
    }
  }
}

/** `sessionState` fields that resume the paused invocation with the client's answers. */
export function returnControlState(resume: ResumeInput): { invocationId?: string; returnControlInvocationResults: InvocationResultMember[] } {
  return {
    ...(resume.invocationId ? { invocationId: resume.invocationId } : {}),
    returnControlInvocationResults: resume.results.map((r): InvocationResultMember => {
      const p = (r.provider ?? {}) as { actionGroup?: string; function?: string; apiPath?: string; httpMethod?: string; agentId?: string };
      // An approval answers with its confirmation state (the action group then runs, or not); a client tool with its output.
      const answer =
        r.kind === 'approval'
          ? { confirmationState: r.approved ? ('CONFIRM' as const) : ('DENY' as const) }
          : { responseBody: { TEXT: { body: r.output ?? '' } }, ...(r.isError ? { responseState: 'FAILURE' as const } : {}) };
      const agentId = p.agentId ? { agentId: p.agentId } : {};
      if (p.apiPath !== undefined) {
        const apiAnswer =
          r.kind === 'approval'
            ? answer
            : {
                responseBody: { 'application/json': { body: r.output ?? '' } },
                httpStatusCode: r.isError ? 500 : 200,
                ...(r.isError ? { responseState: 'FAILURE' as const } : {}),
              };
        return { apiResult: { actionGroup: p.actionGroup, apiPath: p.apiPath, httpMethod: p.httpMethod, ...apiAnswer, ...agentId } };
      }
      return { functionResult: { actionGroup: p.actionGroup, function: p.function, ...answer, ...agentId } };
    }),
  };
}
