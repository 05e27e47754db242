/**
 * Load (issue 18): rounds of 64 concurrent converse turns — 16 per agent kind, four at a time on each of four
 * sessions — against the local stack, beside the same 64 streams read directly from the provider. Checked
 * after the load: no request failed, every turn's question and answer are stored exactly once, and each
 * session's counters equal the sum of its messages' usage.
 */
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { directStream, floor, KINDS, setupKind, viaApi, type Clients, type Kind } from './converse';
import type { BenchStack } from './stack';
import { percentile } from './stats';

export const CONCURRENCY = 64;
const SESSIONS_PER_KIND = Number(process.env.LOAD_SESSIONS_PER_KIND ?? 4);
const TURNS_PER_SESSION = CONCURRENCY / KINDS.length / SESSIONS_PER_KIND;

interface Side {
  ttfc: number[];
  errors: number;
  seconds: number;
  turns: number;
}

export interface LoadResult {
  rounds: number;
  api: { p50: number; p99: number; turnsPerSecond: number; errors: number };
  direct: { p50: number; p99: number; turnsPerSecond: number; errors: number };
  /** The direct streams each preceded by the raw DynamoDB requests a turn cannot skip (bench/converse.ts floor). */
  floor: { p50: number; p99: number; turnsPerSecond: number; errors: number };
  stored: { expected: number; found: number; duplicates: number; unanswered: number; sessionsChecked: number; countersMismatched: number };
}

async function timed(turns: (() => Promise<number>)[], side: Side): Promise<void> {
  const t0 = performance.now();
  const results = await Promise.allSettled(turns.map((t) => t()));
  side.seconds += (performance.now() - t0) / 1000;
  side.turns += turns.length;
  for (const r of results) {
    if (r.status === 'fulfilled' && Number.isFinite(r.value)) side.ttfc.push(r.value);
    else side.errors++;
  }
}

export async function load(stack: BenchStack, rounds: number): Promise<LoadResult> {
  const userId = 'bench-load';
  const token = await stack.token(userId);
  const admin = await stack.token('bench-admin', ['pika:site-admin']);
  const creds = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  const c: Clients = {
    agents: new BedrockAgentRuntimeClient({ endpoint: stack.emulator.endpoint, ...creds }),
    core: new BedrockAgentCoreClient({ endpoint: stack.emulator.endpoint, ...creds }),
  };
  const sessions: { kind: Kind; sessionId: string }[] = [];
  for (const kind of KINDS) {
    for (let i = 0; i < SESSIONS_PER_KIND / 2; i++) {
      const s = await setupKind(stack, kind, admin, userId, token); // two titled sessions each call
      sessions.push({ kind, sessionId: s.apiSession }, { kind, sessionId: s.floorSession.sessionId });
    }
  }
  const api: Side = { ttfc: [], errors: 0, seconds: 0, turns: 0 };
  const direct: Side = { ttfc: [], errors: 0, seconds: 0, turns: 0 };
  const floorSide: Side = { ttfc: [], errors: 0, seconds: 0, turns: 0 };
  // The floor writes into sessions of its own, one beside each API session (the same write contention).
  const floorSessions = new Map<string, { sessionId: string; userId: string }>();
  for (let i = 0; i < sessions.length; i += 2) {
    const s = await setupKind(stack, sessions[i]!.kind, admin, userId, token);
    floorSessions.set(sessions[i]!.sessionId, s.floorSession);
    floorSessions.set(sessions[i + 1]!.sessionId, { sessionId: s.apiSession, userId });
  }
  const asked = new Map<string, string[]>();
  for (let round = 0; round < rounds; round++) {
    const apiTurns = sessions.flatMap((s) =>
      Array.from({ length: TURNS_PER_SESSION }, (_, i) => {
        const message = `load round ${round} turn ${i} in ${s.sessionId}`;
        asked.set(s.sessionId, [...(asked.get(s.sessionId) ?? []), message]);
        return async () => (await viaApi(stack.api.url, token, s.sessionId, message)).firstChunkMs;
      }),
    );
    const directTurns = sessions.flatMap((s) =>
      Array.from({ length: TURNS_PER_SESSION }, (_, i) => async () => {
        const t0 = performance.now();
        return (await directStream(s.kind, c, `load round ${round} turn ${i}`, t0)).first;
      }),
    );
    const floorTurns = sessions.flatMap((s) =>
      Array.from(
        { length: TURNS_PER_SESSION },
        (_, i) => async () => (await floor(s.kind, c, `load round ${round} turn ${i}`, floorSessions.get(s.sessionId)!)).firstChunkMs,
      ),
    );
    // Rotate which side goes first, so none always meets a warmer or a busier stack.
    const sides: [(() => Promise<number>)[], Side][] = [
      [apiTurns, api],
      [directTurns, direct],
      [floorTurns, floorSide],
    ];
    for (let k = 0; k < sides.length; k++) {
      const [turns, side] = sides[(k + round) % sides.length]!;
      await timed(turns, side);
    }
  }
  c.agents.destroy();
  c.core.destroy();

  // What was stored: every question once, each followed by its answer; the counters equal the messages' usage.
  const stored = { expected: 0, found: 0, duplicates: 0, unanswered: 0, sessionsChecked: 0, countersMismatched: 0 };
  for (const { sessionId } of sessions) {
    const items: { messageId: string; role: string; content: string; usage?: { inputTokens?: number; outputTokens?: number; totalCost?: number } }[] = [];
    let cursor: string | undefined;
    do {
      const r = await fetch(`${stack.api.url}/sessions/${sessionId}/messages?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const page = (await r.json()) as { items: typeof items; nextCursor?: string };
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const questions = asked.get(sessionId) ?? [];
    stored.expected += questions.length * 2;
    stored.found += items.length;
    stored.duplicates += items.length - new Set(items.map((m) => m.messageId)).size;
    for (const q of questions) {
      const at = items.findIndex((m) => m.role === 'user' && m.content === q);
      if (items.filter((m) => m.role === 'user' && m.content === q).length !== 1) stored.duplicates++;
      if (at < 0 || !items.slice(at + 1).some((m) => m.role === 'assistant' && m.content.endsWith(q))) stored.unanswered++;
    }
    const session = (await (await fetch(`${stack.api.url}/sessions/${sessionId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      inputTokens?: number;
      outputTokens?: number;
      totalCost?: number;
    };
    const sum = items.reduce((s, m) => ({ i: s.i + (m.usage?.inputTokens ?? 0), o: s.o + (m.usage?.outputTokens ?? 0), c: s.c + (m.usage?.totalCost ?? 0) }), {
      i: 0,
      o: 0,
      c: 0,
    });
    stored.sessionsChecked++;
    if ((session.inputTokens ?? 0) !== sum.i || (session.outputTokens ?? 0) !== sum.o || Math.abs((session.totalCost ?? 0) - sum.c) > 1e-6)
      stored.countersMismatched++;
  }
  const side = (s: Side) => ({ p50: percentile(s.ttfc, 50), p99: percentile(s.ttfc, 99), turnsPerSecond: s.turns / s.seconds, errors: s.errors });
  return { rounds, api: side(api), direct: side(direct), floor: side(floorSide), stored };
}
