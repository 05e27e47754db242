/**
 * What a CDK app of your own can reuse (docs/deploy.md, "Reusing the constructs"): the whole stack, or the
 * constructs one by one, each taking props and exposing its resources.
 */
export { PikaChatStack, type PikaChatStackProps } from './pika-chat-stack';
export { ChatTable, type ChatTableProps } from './constructs/chat-table';
export { ChatFunctions, DEFAULT_SIZES, handlerEntry, type ChatFunctionsProps, type FunctionSize, type SecretRef } from './constructs/chat-functions';
export { ChatApi, type ChatApiProps, type Throttle } from './constructs/chat-api';
export { ChatAgents, type ChatAgentsProps } from './constructs/chat-agents';
export { ChatUsage, type ChatUsageProps } from './constructs/chat-usage';
export { ChatRedrive, type ChatRedriveProps } from './constructs/chat-redrive';
export { ChatRetention, RETENTION_SWEEP_MINUTES, type ChatRetentionProps } from './constructs/chat-retention';
export { ChatLifecycle, type ChatLifecycleProps } from './constructs/chat-lifecycle';
export { ChatObservability, type ChatObservabilityProps } from './constructs/chat-observability';
export { TABLE_ACCESS, type TableAccess, type FunctionName } from './constructs/access-map';
export { bedrockAccess, modelResourceArns, type BedrockAccess } from './config/bedrock';
export { parseStageConfig, stageConfigSchema, type StageConfig, type StageConfigInput } from './config/schema';
export { STAGES, STAGE_NAMES, stageConfig } from './config/stages';
export { acknowledgeNag, addNagChecks } from './nag';
