/**
 * The AG-UI runtime adapter's event mapping (functions/converse/providers/agentcore-agui.ts, issue 26 item 7): AG-UI
 * events, as a runtime's SSE `data:`, to the provider events the turn consumes.
 */
import { describe, expect, it } from 'vitest';
import { agUiEventMapper } from '../../functions/converse/providers/agentcore-agui';
import { AgentRuntimeError } from '../../functions/converse/providers/agentcore-runtime';
import type { ProviderEvent } from '../../functions/converse/providers/events';

/** Maps events (objects, or raw data strings) through one mapper; the error thrown, if any. */
function mapAll(events: unknown[], end = true) {
  const mapper = agUiEventMapper();
  const out: ProviderEvent[] = [];
  try {
    for (const e of events) for (const p of mapper.push(typeof e === 'string' ? e : JSON.stringify(e))) out.push(p);
    if (end) mapper.end();
  } catch (error) {
    return { out, error: error as AgentRuntimeError };
  }
  return { out, error: undefined };
}

const run = { threadId: 't', runId: 'r' };
const text = (out: ProviderEvent[]) => out.flatMap((e) => (e.type === 'chunk' ? [e.text] : [])).join('');

describe('agUiEventMapper', () => {
  it('text deltas are chunks; a second assistant message is set apart by a blank line; other roles are not the answer', () => {
    const { out, error } = mapAll([
      { type: 'RUN_STARTED', ...run },
      { type: 'TEXT_MESSAGE_START', messageId: 'm1', role: 'assistant' },
      { type: 'TEXT_MESSAGE_CONTENT', messageId: 'm1', delta: 'Hel' },
      { type: 'TEXT_MESSAGE_CONTENT', messageId: 'm1', delta: 'lo.' },
      { type: 'TEXT_MESSAGE_END', messageId: 'm1' },
      { type: 'TEXT_MESSAGE_START', messageId: 'd1', role: 'developer' },
      { type: 'TEXT_MESSAGE_CONTENT', messageId: 'd1', delta: 'internal note' },
      { type: 'TEXT_MESSAGE_CHUNK', messageId: 'm2', role: 'assistant', delta: 'Bye' },
      { type: 'TEXT_MESSAGE_CHUNK', delta: '!' },
      { type: 'REASONING_MESSAGE_CONTENT', messageId: 'x', delta: 'thinking' },
      { type: 'RUN_FINISHED', ...run },
    ]);
    expect(error).toBeUndefined();
    expect(text(out)).toBe('Hello.\n\nBye!');
    expect(out.every((e) => e.type === 'chunk')).toBe(true);
  });

  it('tool calls: START + ARGS + END is one use with the whole input, RESULT its result; chunked calls too; an unclosed call ends with the run', () => {
    const { out } = mapAll([
      { type: 'TOOL_CALL_START', toolCallId: 'c1', toolCallName: 'lookup' },
      { type: 'TOOL_CALL_ARGS', toolCallId: 'c1', delta: '{"q":' },
      { type: 'TOOL_CALL_ARGS', toolCallId: 'c1', delta: '"x"}' },
      { type: 'TOOL_CALL_END', toolCallId: 'c1' },
      { type: 'TOOL_CALL_RESULT', messageId: 't1', toolCallId: 'c1', content: 'found', role: 'tool' },
      { type: 'TOOL_CALL_CHUNK', toolCallId: 'c2', toolCallName: 'search', delta: '{"a"' },
      { type: 'TOOL_CALL_CHUNK', delta: ':1}' },
      { type: 'TOOL_CALL_CHUNK', toolCallId: 'c3', toolCallName: 'fetch', delta: '{}' },
      { type: 'TOOL_CALL_RESULT', messageId: 't3', toolCallId: 'c3', content: 'y'.repeat(5000) },
      { type: 'RUN_FINISHED', ...run },
    ]);
    expect(out.map((e) => (e.type === 'tool' ? [e.phase, e.toolUseId, e.phase === 'use' ? `${e.name} ${e.input}` : e.status] : e.type))).toEqual([
      ['use', 'c1', 'lookup {"q":"x"}'],
      ['result', 'c1', 'success'],
      ['use', 'c2', 'search {"a":1}'],
      ['use', 'c3', 'fetch {}'],
      ['result', 'c3', 'success'],
    ]);
    expect(out[1]).toMatchObject({ output: 'found' });
    expect((out[4] as { output: string }).output).toHaveLength(4000);
  });

  it('usage: RUN_FINISHED usage entries are summed, CUSTOM usage added; a cancelled or interrupted run gives its stop reason', () => {
    const { out, error } = mapAll([
      { type: 'CUSTOM', name: 'usage', value: { inputTokens: 3, outputTokens: 2 } },
      { type: 'CUSTOM', name: 'other', value: { inputTokens: 100 } },
      { type: 'RAW', event: { usage: { inputTokens: 100 } } },
      {
        type: 'RUN_FINISHED',
        ...run,
        usage: [
          { model: 'a', inputTokens: 10, outputTokens: 1 },
          { model: 'b', inputTokens: 5, outputTokens: 4 },
        ],
        outcome: { type: 'interrupt', interrupts: [{ id: 'i', reason: 'approve' }] },
      },
      { type: 'TEXT_MESSAGE_CONTENT', messageId: 'late', delta: 'after the end' },
    ]);
    expect(error).toBeUndefined();
    expect(out).toEqual([
      { type: 'usage', inputTokens: 3, outputTokens: 2 },
      { type: 'usage', inputTokens: 15, outputTokens: 5 },
      { type: 'stop', reason: 'interrupt' },
    ]);
  });

  it('RUN_ERROR throws AgentRuntimeError (message and code) after its usage; a stream without RUN_FINISHED fails', () => {
    const failed = mapAll([
      { type: 'TEXT_MESSAGE_CONTENT', messageId: 'm', delta: 'Partial' },
      { type: 'RUN_ERROR', message: 'boom', code: 'E42', usage: [{ inputTokens: 7, outputTokens: 1 }] },
    ]);
    expect(failed.out).toEqual([
      { type: 'chunk', text: 'Partial' },
      { type: 'usage', inputTokens: 7, outputTokens: 1 },
    ]);
    expect(failed.error).toBeInstanceOf(AgentRuntimeError);
    expect(failed.error).toMatchObject({ message: 'boom', errorType: 'E42' });
    const cut = mapAll([{ type: 'TEXT_MESSAGE_CONTENT', messageId: 'm', delta: 'Cut' }]);
    expect(text(cut.out)).toBe('Cut');
    expect(cut.error).toMatchObject({ name: 'AgentRuntimeError', errorType: 'IncompleteRun' });
  });

  it('data that is not an AG-UI event (not JSON, an unknown type, a malformed known one) is skipped, not a failure', () => {
    const { out, error } = mapAll([
      'not json',
      { type: 'text', text: 'our HTTP contract' },
      { type: 'SOME_FUTURE_EVENT', x: 1 },
      { type: 'TEXT_MESSAGE_CONTENT', delta: 'no message id' },
      { type: 'TEXT_MESSAGE_CONTENT', messageId: 'm', delta: 'ok' },
      { type: 'RUN_FINISHED', ...run },
    ]);
    expect(error).toBeUndefined();
    expect(out).toEqual([{ type: 'chunk', text: 'ok' }]);
  });
});
