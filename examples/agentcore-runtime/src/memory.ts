/**
 * What a runtime session remembers of its conversation. AgentCore Runtime gives each runtime session its own
 * microVM, kept until the session idles out (900 s by default) or is stopped, so memory in the process is the
 * session's memory. The chat backend sends `history` only when that session may be gone (another agent answered
 * last, or it was idle too long); then the history replaces what is remembered.
 */
import type { AgentRuntimeHistoryTurn } from 'pika-shared/util/agentcore';

export class SessionMemory {
  readonly #sessions = new Map<string, AgentRuntimeHistoryTurn[]>();

  /** The earlier turns for this invocation: the payload's history when sent, else what the session remembers. */
  earlierTurns(runtimeSessionId: string | undefined, history: AgentRuntimeHistoryTurn[]): AgentRuntimeHistoryTurn[] {
    if (history.length) {
      if (runtimeSessionId) this.#sessions.set(runtimeSessionId, [...history]);
      return history;
    }
    return runtimeSessionId ? [...(this.#sessions.get(runtimeSessionId) ?? [])] : [];
  }

  /** Remembers a finished turn (an answer that failed or was stopped is not remembered, as the backend does). */
  remember(runtimeSessionId: string | undefined, prompt: string, answer: string): void {
    if (!runtimeSessionId) return;
    const turns = this.#sessions.get(runtimeSessionId) ?? [];
    turns.push({ role: 'user', content: prompt }, { role: 'assistant', content: answer });
    this.#sessions.set(runtimeSessionId, turns);
  }
}
