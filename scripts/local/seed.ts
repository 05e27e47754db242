/** The demo configuration `npm start` registers: a chat app per agent kind (see demoChatApps). */
import type { AgentConfig, ChatAppConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { getAgent, getChatApp, putAgent, putChatApp } from '../../functions/data/config';
import { nowIso } from '../../functions/data/items';
import { emulatorHarnessArn, emulatorRuntimeArn } from '../agent-emulator/agentcore';
import { DEMO_MEMORY_APP } from './demo-memory';

export const DEMO_PRICING = { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 };

export const DEMO_TITLE_MODEL = { modelId: 'title-model', pricing: { inputPer1kTokens: 0.00025, outputPer1kTokens: 0.00125 } };
/** The emulator answers the insights tool (scripts/agent-emulator/insights-answerer.ts). */
export const INSIGHTS_MODEL = { modelId: 'insights-model', pricing: { inputPer1kTokens: 0.00025, outputPer1kTokens: 0.00125 } };
const agent = (agentId: string, def: AgentConfig['agent']): AgentConfig => ({
  agentId,
  description: `Agent emulator: ${agentId}`,
  agent: def,
  pricing: DEMO_PRICING,
  titleModel: DEMO_TITLE_MODEL,
});
const classic = (id: string): AgentConfig['agent'] => ({ kind: 'bedrock-agent', bedrockAgentId: id, bedrockAgentAliasId: 'TSTALIASID' });

/**
 * One echo agent of every kind — `echo` is the AgentCore harness (the recommended path), `echo-runtime` a
 * code-defined agent on AgentCore Runtime, `agui-runtime` an AG-UI server on AgentCore Runtime (a tool call, then
 * the echo answer), `echo-classic` an Agents Classic agent — and the classic agents the
 * tests use (`faulty`, `hang`, `echo-attributes`).
 */
export const demoAgents = (): AgentConfig[] => [
  agent('echo', { kind: 'agentcore-harness', harnessArn: emulatorHarnessArn('echo') }),
  agent('echo-runtime', { kind: 'agentcore-runtime', agentRuntimeArn: emulatorRuntimeArn('echo') }),
  agent('agui-runtime', { kind: 'agentcore-runtime', agentRuntimeArn: emulatorRuntimeArn('agui'), protocol: 'AGUI' }),
  agent('echo-classic', classic('echo')),
  ...['faulty', 'hang', 'echo-attributes'].map((id) => agent(id, classic(id))),
];

export const demoChatApps = (): ChatAppConfig[] => [
  {
    chatAppId: 'demo',
    title: 'Demo (AgentCore harness echo agent)',
    enabled: true,
    agentId: 'echo',
    allowedAgentIds: ['echo', 'echo-attributes'],
    features: { traces: { featureId: 'traces', enabled: true } },
    streamTraces: true,
    insightsModel: INSIGHTS_MODEL,
    insightsReportPoorOutcomes: true,
  },
  { chatAppId: 'demo-runtime', title: 'Demo (AgentCore Runtime echo agent)', enabled: true, agentId: 'echo-runtime' },
  {
    chatAppId: 'demo-agui',
    title: 'Demo (AG-UI server on AgentCore Runtime)',
    enabled: true,
    agentId: 'agui-runtime',
    features: { traces: { featureId: 'traces', enabled: true } },
    streamTraces: true,
  },
  { chatAppId: 'demo-classic', title: 'Demo (Agents Classic echo agent)', enabled: true, agentId: 'echo-classic' },
  { chatAppId: 'demo-faulty', title: 'Demo (faulty agent)', enabled: true, agentId: 'faulty', allowedAgentIds: ['hang'] },
  DEMO_MEMORY_APP,
];

/** Idempotent: existing configuration (maybe edited through the admin API) is kept. */
export async function seedDemoConfig(): Promise<void> {
  const now = nowIso();
  for (const agent of demoAgents()) if (!(await getAgent(agent.agentId))) await putAgent({ ...agent, createDate: now, lastUpdate: now });
  for (const app of demoChatApps()) if (!(await getChatApp(app.chatAppId))) await putChatApp({ ...app, createDate: now, lastUpdate: now });
}
