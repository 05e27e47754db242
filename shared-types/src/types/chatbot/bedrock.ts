/**
 * The Lambda event Bedrock Agents send to an action group, and the response they expect
 * (message version 1.0; both the function-details and the OpenAPI-schema kinds of action group).
 */

export interface BedrockActionGroupParameter {
    name: string;
    type: string;
    value: string;
}

export interface BedrockActionGroupLambdaEvent {
    messageVersion: string;
    agent: { name: string; id: string; alias: string; version: string };
    inputText: string;
    sessionId: string;
    actionGroup: string;
    /** Function-details action groups. */
    function?: string;
    parameters?: BedrockActionGroupParameter[];
    /** OpenAPI-schema action groups. */
    apiPath?: string;
    httpMethod?: string;
    requestBody?: { content: Record<string, { properties: BedrockActionGroupParameter[] }> };
    /** Flat string map: what the chat backend sent (see encodeSessionAttributes / normalizeSessionAttributes). */
    sessionAttributes: Record<string, string>;
    promptSessionAttributes: Record<string, string>;
}

/** FAILURE ends the turn with an error; REPROMPT asks the model to try again. Absent = success. */
export type BedrockResponseState = 'FAILURE' | 'REPROMPT';

export interface BedrockFunctionResponse {
    actionGroup: string;
    function: string;
    functionResponse: {
        responseState?: BedrockResponseState;
        responseBody: { TEXT: { body: string } };
    };
}

export interface BedrockApiResponse {
    actionGroup: string;
    apiPath: string;
    httpMethod: string;
    httpStatusCode: number;
    responseState?: BedrockResponseState;
    responseBody: Record<string, { body: string }>;
}

export interface BedrockActionGroupLambdaResponse {
    messageVersion: '1.0';
    response: BedrockFunctionResponse | BedrockApiResponse;
    sessionAttributes?: Record<string, string>;
    promptSessionAttributes?: Record<string, string>;
}
