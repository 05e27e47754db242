/** The demo configuration `npm start` registers: chat apps `demo` (agent `echo`) and `demo-faulty` (agent `faulty`). */
import type { AgentConfig, ChatAppConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { getAgent, getChatApp, putAgent, putChatApp } from '../../functions/data/config';
import { nowIso } from '../../functions/data/items';

export const DEMO_PRICING = { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 };

export const demoAgents = (): AgentConfig[] =>
  ['echo', 'faulty', 'hang', 'echo-attributes'].map((id) => ({
    agentId: id,
    description: `Agent emulator: ${id}`,
    agent: { kind: 'bedrock-agent', bedrockAgentId: id, bedrockAgentAliasId: 'TSTALIASID' },
    pricing: DEMO_PRICING,
    titleModel: { modelId: 'title-model', pricing: { inputPer1kTokens: 0.00025, outputPer1kTokens: 0.00125 } },
  }));

export const demoChatApps = (): ChatAppConfig[] => [
  { chatAppId: 'demo', title: 'Demo (echo agent)', enabled: true, agentId: 'echo', allowedAgentIds: ['echo', 'echo-attributes'], features: { traces: { featureId: 'traces', enabled: true } }, streamTraces: true },
  { chatAppId: 'demo-faulty', title: 'Demo (faulty agent)', enabled: true, agentId: 'faulty', allowedAgentIds: ['hang'] },
];

/** Idempotent: existing configuration (maybe edited through the admin API) is kept. */
export async function seedDemoConfig(): Promise<void> {
  const now = nowIso();
  for (const agent of demoAgents()) if (!(await getAgent(agent.agentId))) await putAgent({ ...agent, createDate: now, lastUpdate: now });
  for (const app of demoChatApps()) if (!(await getChatApp(app.chatAppId))) await putChatApp({ ...app, createDate: now, lastUpdate: now });
}
