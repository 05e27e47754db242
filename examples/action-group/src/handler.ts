/**
 * An action-group Lambda (function-details kind): the spec's handler, completed. The chat backend sends the
 * session's data (the user's customData spread in) as Bedrock session attributes; normalizeSessionAttributes
 * gives them back typed, with nested values decoded.
 */
import type { BedrockActionGroupLambdaEvent } from 'pika-shared/types/chatbot/bedrock';
import { actionGroupFailure, actionGroupSuccess, normalizeSessionAttributes } from 'pika-shared/util/bedrock';
import { lookUpOrder } from './orders.js';

export const handler = async (event: BedrockActionGroupLambdaEvent) => {
  // Get session data with custom fields
  const sessionData = normalizeSessionAttributes(event.sessionAttributes);
  // Access custom data
  const accountId = sessionData.accountId;
  const accountType = sessionData.accountType;
  if (typeof accountId !== 'string') return actionGroupFailure(event, 'This session has no account.');

  const orderId = event.parameters?.find((p) => p.name === 'orderId')?.value;
  if (!orderId) return actionGroupFailure(event, 'Ask the user which order (orderId).', { state: 'REPROMPT' });

  const order = lookUpOrder(accountId, orderId);
  // Use in your tool logic: premium accounts also get the delivery window; preferences is a decoded object
  const answer = { orderId: order.orderId, status: order.status, language: sessionData.preferences?.language ?? 'en' };
  return actionGroupSuccess(event, accountType === 'premium' ? { ...answer, deliveryWindow: order.deliveryWindow } : answer);
};
