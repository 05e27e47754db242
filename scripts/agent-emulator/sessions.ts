/**
 * Provider sessions: what a Bedrock agent, an AgentCore harness or an AgentCore runtime remembers between
 * calls that share a session id. A session unused for longer than `idleMs` is gone (the next call starts a
 * new one), as with the services' idle TTLs. The clock is injectable so tests expire sessions without
 * waiting.
 */
export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

export interface ProviderSession {
  key: string;
  turns: Turn[];
  lastUsedAt: number;
  /** Running answers of this session: StopRuntimeSession ends them. */
  running: Set<() => void>;
  /** The invocation paused by a return of control (Agents Classic): only its results resume it. */
  pendingInvocationId?: string;
}

export class SessionStore {
  private readonly sessions = new Map<string, ProviderSession>();

  constructor(
    private readonly idleMs: () => number,
    private readonly now: () => number,
  ) {}

  private live(key: string): ProviderSession | undefined {
    const s = this.sessions.get(key);
    if (s && s.running.size === 0 && this.now() - s.lastUsedAt > this.idleMs()) {
      this.sessions.delete(key);
      return undefined;
    }
    return s;
  }

  /** The live session under `key`, or a new empty one (an expired session is dropped first). */
  open(key: string): ProviderSession {
    let s = this.live(key);
    if (!s) {
      s = { key, turns: [], lastUsedAt: this.now(), running: new Set() };
      this.sessions.set(key, s);
    }
    s.lastUsedAt = this.now();
    return s;
  }

  find(key: string): ProviderSession | undefined {
    return this.live(key);
  }

  /** False once the session was stopped or replaced (its answer then adds nothing to what it remembers). */
  isCurrent(s: ProviderSession): boolean {
    return this.sessions.get(s.key) === s;
  }

  touch(s: ProviderSession) {
    s.lastUsedAt = this.now();
  }

  /** Ends the session: its running answers stop and what it remembered is forgotten. */
  stop(key: string): boolean {
    const s = this.live(key);
    if (!s) return false;
    for (const end of [...s.running]) end();
    this.sessions.delete(key);
    return true;
  }

  /** Forgets every session (or those whose key starts with `prefix`), as if they had all idled out. */
  expire(prefix = '') {
    for (const key of [...this.sessions.keys()]) if (key.startsWith(prefix)) this.sessions.delete(key);
  }

  list(): { key: string; turns: Turn[]; lastUsedAt: number }[] {
    return [...this.sessions.keys()].flatMap((k) => {
      const s = this.live(k);
      return s ? [{ key: s.key, turns: [...s.turns], lastUsedAt: s.lastUsedAt }] : [];
    });
  }
}

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * The `recall` agents' answer: the earlier turns they know of, from the history sent with this call and from
 * their provider session, each turn once (history first, then session turns not already listed).
 *   I remember 2 earlier turns (history: 0, session: 2):
 *   user: hello
 *   assistant: You said: hello
 */
export function recallAnswer(history: Turn[], remembered: Turn[]): string {
  const known = [...history];
  const pending = [...history];
  for (const t of remembered) {
    const i = pending.findIndex((h) => h.role === t.role && flat(h.content) === flat(t.content));
    if (i >= 0) pending.splice(i, 1);
    else known.push(t);
  }
  const head = `I remember ${known.length === 0 ? 'no' : known.length} earlier turn${known.length === 1 ? '' : 's'} (history: ${history.length}, session: ${remembered.length})`;
  return known.length === 0 ? `${head}.` : `${head}:\n${known.map((t) => `${t.role}: ${flat(t.content)}`).join('\n')}`;
}
