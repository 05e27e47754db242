/**
 * The Bedrock agent runtime client (Agents Classic; the container's, functions/platform/clients.ts), in a module of
 * its own so that only a classic turn's chunk loads it. BEDROCK_AGENT_ENDPOINT points it at the local emulator.
 */
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { defineClient } from '../platform/clients';

export const bedrockAgentClient = defineClient('bedrockAgent', {
  key: (c) => c.BEDROCK_AGENT_ENDPOINT,
  create: (c) => new BedrockAgentRuntimeClient({ ...(c.BEDROCK_AGENT_ENDPOINT ? { endpoint: c.BEDROCK_AGENT_ENDPOINT } : {}), maxAttempts: 2 }),
});
