/**
 * The Bedrock model runtime client (Converse: titles, answer verification, insights; the container's,
 * functions/platform/clients.ts). The agent runtime's is in ./bedrock-agent.ts, loaded by classic turns only.
 * BEDROCK_RUNTIME_ENDPOINT points it at the local emulator; unset, it talks to Bedrock.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { defineClient } from '../platform/clients';

export const bedrockRuntimeClient = defineClient('bedrockRuntime', {
  key: (c) => c.BEDROCK_RUNTIME_ENDPOINT,
  create: (c) => new BedrockRuntimeClient({ ...(c.BEDROCK_RUNTIME_ENDPOINT ? { endpoint: c.BEDROCK_RUNTIME_ENDPOINT } : {}), maxAttempts: 2 }),
});
