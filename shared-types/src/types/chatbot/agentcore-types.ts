/**
 * Agent definitions for Amazon Bedrock AgentCore, beside `BedrockAgentRef` and `InlineAgentDefinition` in
 * `AgentConfig.agent` (the integrator adds them to that union). Schemas: `pika-shared/schemas/agentcore`.
 */

/** Per-invocation overrides of the harness's own configuration (each one replaces the harness default). */
export interface AgentCoreHarnessOverrides {
    /** A Bedrock model id (sent as `model.bedrockModelConfig.modelId`). */
    modelId?: string;
    /** Replaces the harness's system prompt; the session context block is sent after it. */
    systemPrompt?: string;
    /** Tool names the agent may use in this invocation. */
    allowedTools?: string[];
    maxIterations?: number;
    /** Per iteration. */
    maxTokens?: number;
    timeoutSeconds?: number;
}

/** A managed agent loop: `InvokeHarness`. */
export interface AgentCoreHarnessRef {
    kind: 'agentcore-harness';
    /** arn:aws:bedrock-agentcore:<region>:<account>:harness/<name>-<10 letters or digits> */
    harnessArn: string;
    /** The harness endpoint; the service uses DEFAULT when absent. */
    qualifier?: string;
    overrides?: AgentCoreHarnessOverrides;
}

/**
 * The server protocol of an AgentCore runtime (its `protocolConfiguration.serverProtocol`) that the relay speaks:
 * `HTTP` (the default) sends the payload of `pika-shared/util/agentcore` and reads its answer by content type;
 * `AGUI` sends an AG-UI `RunAgentInput` and reads the AG-UI event stream (docs/agentcore.md#ag-ui-runtimes).
 */
export type AgentCoreRuntimeProtocol = 'HTTP' | 'AGUI';

/** A code-defined agent hosted on AgentCore Runtime: `InvokeAgentRuntime` with the payload of `pika-shared/util/agentcore`. */
export interface AgentCoreRuntimeRef {
    kind: 'agentcore-runtime';
    /** arn:aws:bedrock-agentcore:<region>:<account>:runtime/<name>-<10 letters or digits> */
    agentRuntimeArn: string;
    /** The runtime endpoint; the service uses DEFAULT when absent. */
    qualifier?: string;
    /** The runtime's server protocol; HTTP when absent. */
    protocol?: AgentCoreRuntimeProtocol;
}

export type AgentCoreAgentRef = AgentCoreHarnessRef | AgentCoreRuntimeRef;
