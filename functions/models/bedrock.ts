/**
 * The Bedrock clients (the container's, functions/platform/clients.ts): the agent runtime (Agents Classic) and the
 * model runtime (Converse: titles, answer verification, insights). BEDROCK_AGENT_ENDPOINT / BEDROCK_RUNTIME_ENDPOINT
 * point the real SDK clients at the local emulator; unset, they talk to Bedrock.
 */
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { defineClient } from '../platform/clients';

export const bedrockAgentClient = defineClient('bedrockAgent', {
  key: (c) => c.BEDROCK_AGENT_ENDPOINT,
  create: (c) => new BedrockAgentRuntimeClient({ ...(c.BEDROCK_AGENT_ENDPOINT ? { endpoint: c.BEDROCK_AGENT_ENDPOINT } : {}), maxAttempts: 2 }),
});

export const bedrockRuntimeClient = defineClient('bedrockRuntime', {
  key: (c) => c.BEDROCK_RUNTIME_ENDPOINT,
  create: (c) => new BedrockRuntimeClient({ ...(c.BEDROCK_RUNTIME_ENDPOINT ? { endpoint: c.BEDROCK_RUNTIME_ENDPOINT } : {}), maxAttempts: 2 }),
});
