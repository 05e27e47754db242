export { startAgentEmulator, type AgentEmulator, type EmulatorOptions, type RecordedRequest } from './server';
export { AGENTS, echoAnswer, inputTokensFor, outputTokensFor, titleFor } from './agents';
export { recallAnswer, type Turn } from './sessions';
export {
  AG_UI_PREAMBLE,
  AG_UI_TOOL,
  agUiAnswer,
  EMULATOR_ACCOUNT,
  EMULATOR_REGION,
  HARNESS_AGENTS,
  HARNESS_TOOL,
  RUNTIME_AGENTS,
  agentOfArn,
  emulatorHarnessArn,
  emulatorRuntimeArn,
} from './agentcore';
export { EMULATOR_MEMORY_STRATEGY, emulatorMemoryArn, emulatorMemoryNamespace, MemoryStore, type MemoryOperation } from './memory';
