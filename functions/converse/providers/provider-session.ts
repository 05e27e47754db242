/**
 * Provider session ids and idle timeouts, apart from the AgentCore client (./agentcore.ts re-exports
 * them): the converse path reads them on every turn, the client and its SDK load only for AgentCore agents.
 */
import { createHash } from 'node:crypto';

/**
 * The AgentCore session id of a chat session: deterministic (every turn of a chat session reaches the same
 * provider session), 39–98 characters (the service wants at least 33), readable, collision-free:
 * `pika-<chat session id, characters other than letters, digits, _ and - as _, at most 60>-<32 hex of its SHA-256>`.
 */
export function providerSessionId(chatSessionId: string): string {
  const readable = chatSessionId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60) || 'session';
  return `pika-${readable}-${createHash('sha256').update(chatSessionId).digest('hex').slice(0, 32)}`;
}

/** AgentCore's default idle timeout of a runtime session (`idleRuntimeSessionTimeout`), in seconds. */
export const DEFAULT_PROVIDER_IDLE_SECONDS = 900;
