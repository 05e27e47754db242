export { startAgentEmulator, type AgentEmulator, type RecordedRequest } from './server';
export { AGENTS, echoAnswer, inputTokensFor, outputTokensFor, titleFor } from './agents';
