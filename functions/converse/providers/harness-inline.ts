/**
 * AgentCore harness inline functions (docs/converse.md#human-in-the-loop): a tool the harness does not run
 * itself — it stops with `tool_use` and returns the call to the caller. Its unanswered tool uses become
 * `ask`s; the resumed InvokeHarness (same runtime session) carries the assistant's toolUse message and the
 * user's toolResult message, as the harness does not keep the paused turn.
 */
import type { HarnessMessage } from '@aws-sdk/client-bedrock-agentcore';
import type { AskEvent, ResumeInput, ToolEvent } from './events';

/** A tool use's JSON input text as an object (anything else is kept under `value`). */
function inputObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = text ? JSON.parse(text) : {};
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { value: text };
  }
}

type ToolUse = Extract<ToolEvent, { phase: 'use' }>;

/**
 * The tool uses of one answer, held until the harness answers them (`answered`: the use, then its result
 * follows) — those it stops on are its inline function calls (`asks`); a use left otherwise is relayed (`unanswered`).
 */
export function inlineCalls() {
  const held = new Map<string, ToolUse>();
  return {
    used: (u: ToolUse) => void held.set(u.toolUseId, u),
    *answered(toolUseId: string): Generator<ToolUse> {
      const u = held.get(toolUseId);
      held.delete(toolUseId);
      if (u) yield u;
    },
    *asks(): Generator<AskEvent> {
      for (const u of held.values()) yield { type: 'ask', toolCallId: u.toolUseId, name: u.name, input: inputObject(u.input) };
    },
    *unanswered(): Generator<ToolUse> {
      yield* held.values();
    },
  };
}

/** An answer's text for the harness: a client tool's output; an approval as `{"approved":…}` (a denial is an error result). */
function resultText(r: ResumeInput['results'][number]): string {
  if (r.kind === 'approval') return JSON.stringify({ approved: r.approved === true, ...(r.reason ? { reason: r.reason } : {}) });
  return r.output ?? '';
}

export function resumeMessages(resume: ResumeInput): HarnessMessage[] {
  return [
    {
      role: 'assistant',
      content: resume.results.map((r) => ({ toolUse: { toolUseId: r.toolCallId, name: r.name, input: r.input as never, type: 'tool_use' } })),
    },
    {
      role: 'user',
      content: resume.results.map((r) => ({
        toolResult: {
          toolUseId: r.toolCallId,
          content: [{ text: resultText(r) }],
          status: r.isError || r.approved === false ? ('error' as const) : ('success' as const),
        },
      })),
    },
  ];
}
