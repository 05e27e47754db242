/**
 * The Bedrock AgentCore client (the container's, functions/platform/clients.ts): the AgentCore providers and user
 * memory use it. BEDROCK_AGENTCORE_ENDPOINT points it at the local emulator (like BEDROCK_AGENT_ENDPOINT in
 * ./bedrock.ts); unset, it talks to AgentCore.
 */
import { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { defineClient } from '../platform/clients';

export const agentCoreClient = defineClient('agentCore', {
  key: (c) => c.BEDROCK_AGENTCORE_ENDPOINT,
  create: (c) => new BedrockAgentCoreClient({ ...(c.BEDROCK_AGENTCORE_ENDPOINT ? { endpoint: c.BEDROCK_AGENTCORE_ENDPOINT } : {}), maxAttempts: 2 }),
});
