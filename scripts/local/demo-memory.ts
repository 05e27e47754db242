/**
 * User memory on the local stack: the emulated AgentCore memory the stack registers (AGENTCORE_MEMORIES) and
 * `demo-memory`, a chat app with the harness echo agent that recalls and records each user's memory.
 */
import type { ChatAppConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { emulatorMemoryArn } from '../agent-emulator/memory';

export const DEMO_MEMORY_ARN = emulatorMemoryArn('pika_demo');
export const DEMO_MEMORIES = [{ arn: DEMO_MEMORY_ARN, namespace: '/users/{actorId}' }];

export const DEMO_MEMORY_APP: ChatAppConfig = {
  chatAppId: 'demo-memory',
  title: 'Demo (harness echo agent with user memory)',
  enabled: true,
  agentId: 'echo',
  allowedAgentIds: ['echo-classic', 'echo-runtime'],
  features: { userMemory: { featureId: 'userMemory', enabled: true, memory: DEMO_MEMORY_ARN, strategies: ['short-term', 'long-term'], recallCount: 3 } },
};
