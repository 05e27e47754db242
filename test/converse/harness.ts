/** The local API plus the agent emulator, both in this test worker, the real SDK client between them. */
import { afterAll, beforeAll } from 'vitest';
import { startAgentEmulator, type AgentEmulator } from '../../scripts/agent-emulator';
import { useApi, type Api } from '../api/harness';

export interface SseEvent {
  event: string;
  data: any;
}

export function useConverse(): { api: Api; emulator: () => AgentEmulator } {
  let emu: AgentEmulator | undefined;
  beforeAll(async () => {
    emu = await startAgentEmulator({ chunkDelayMs: 2 });
    process.env.BEDROCK_AGENT_ENDPOINT = emu.endpoint;
    process.env.BEDROCK_RUNTIME_ENDPOINT = emu.runtimeEndpoint;
    process.env.BEDROCK_AGENTCORE_ENDPOINT = emu.agentCoreEndpoint;
  });
  afterAll(async () => emu?.close());
  return { api: useApi(), emulator: () => emu! };
}

/** Posts to /converse and collects the SSE events, noting how many had arrived before the body ended. */
export async function converse(url: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/converse`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    return { status: res.status, events: [] as SseEvent[], error: (await res.json()) as any, reads: 0 };
  }
  const events: SseEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let reads = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    reads++;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
      events.push({ event, data });
    }
  }
  return { status: res.status, events, error: undefined as any, reads };
}

/** The last agent invocation the emulator saw (titles, made after a turn, are Converse calls: skipped). */
export const lastAgentRequest = (emu: AgentEmulator) => emu.requests().filter((r) => r.operation !== 'Converse').at(-1);

export const textOf = (events: SseEvent[]) => events.filter((e) => e.event === 'chunk').map((e) => e.data.text).join('');
