/**
 * The session attributes sent to the agent: the spec's SessionDataWithChatUserCustomDataSpreadIn (the user's
 * customData spread in, the chat app's and the user's per-app overrideData over it, minus the chat app's
 * private attributes) plus timezone/currentDate, encoded with pika-shared's encodeSessionAttributes so an
 * action-group Lambda gets it back exactly with normalizeSessionAttributes.
 */
import type { ChatAppConfig, ChatUser, RecordOrUndef } from 'pika-shared/types/chatbot/chatbot-types';
import { encodeSessionAttributes } from 'pika-shared/util/bedrock';

export interface AttributeInput {
  user: ChatUser<RecordOrUndef> | undefined;
  userId: string;
  sessionId: string;
  chatAppId: string;
  agentId: string;
  app: ChatAppConfig;
  /** The caller's effective user type: the token's claim, else the stored user's. */
  userType?: string;
  timezone?: string;
  invocationMode: string;
  source: string;
  now?: Date;
}

/** Keys the backend owns: custom data can never supply or overwrite them. */
const RESERVED = ['userId', 'sessionId', 'chatAppId', 'agentId', 'userType', 'timezone', 'currentDate', 'invocationMode', 'source'];

export function sessionDataFor(input: AttributeInput): Record<string, unknown> {
  const custom: Record<string, unknown> = {
    ...(input.user?.customData ?? {}),
    ...(input.app.overrideData ?? {}),
    ...((input.user?.overrideData?.[input.chatAppId] as Record<string, unknown> | undefined) ?? {}),
  };
  for (const key of [...(input.app.privateAttributes ?? []), ...RESERVED]) delete custom[key];
  return {
    ...custom,
    userId: input.userId,
    sessionId: input.sessionId,
    chatAppId: input.chatAppId,
    agentId: input.agentId,
    ...(input.userType ? { userType: input.userType } : {}),
    ...(input.timezone ? { timezone: input.timezone } : {}),
    currentDate: (input.now ?? new Date()).toISOString(),
    invocationMode: input.invocationMode,
    source: input.source,
  };
}

export const sessionAttributesFor = (input: AttributeInput): Record<string, string> => encodeSessionAttributes(sessionDataFor(input));
