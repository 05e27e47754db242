/**
 * Human in the loop (docs/converse.md#human-in-the-loop): an agent asks the client to run a function (a client
 * tool) or to approve one (an approval); the answer goes back in the next converse request, which resumes the
 * same provider session.
 */

/** A function the chat app's clients handle (ChatAppConfig.clientTools). */
export interface ClientToolConfig {
    /** The function's name as the agent asks for it (a Classic action group function, a harness inline function). */
    name: string;
    description?: string;
    /** The client approves the call instead of running it (always so for a Classic action group with requireConfirmation). */
    approval?: boolean;
}

export const TOOL_REQUEST_KINDS = ['client-tool', 'approval'] as const;
export type ToolRequestKind = (typeof TOOL_REQUEST_KINDS)[number];

/** What the agent asks of the client (the `tool_request` event; stored on the answer as `metadata.toolRequests`). */
export interface ToolRequest {
    toolCallId: string;
    name: string;
    /** The call's arguments. */
    input: Record<string, unknown>;
    kind: ToolRequestKind;
}

/** The client's answer to one tool request (the converse request's `toolResults`). */
export interface ConverseToolResult {
    toolCallId: string;
    /** A client tool's output (text; JSON as text). */
    output?: string;
    /** The client tool failed: `output` says why. */
    isError?: boolean;
    /** An approval's answer. */
    approved?: boolean;
    /** Why an approval was denied (kept with the stored message). */
    reason?: string;
}
