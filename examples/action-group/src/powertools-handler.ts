/**
 * The same tool behind Powertools' BedrockAgentFunctionResolver, the idiomatic router when one Lambda serves
 * several functions of an action group. Session attributes are read with pika-shared all the same.
 */
import { BedrockAgentFunctionResolver, BedrockFunctionResponse } from '@aws-lambda-powertools/event-handler/bedrock-agent';
import type { Context } from 'aws-lambda';
import { normalizeSessionAttributes } from 'pika-shared/util/bedrock';
import { lookUpOrder } from './orders.js';

const app = new BedrockAgentFunctionResolver();

app.tool<{ orderId: string }>(
  async ({ orderId }, { event }) => {
    // Bedrock sends session attributes as strings (Powertools types them as JSON values).
    const session = normalizeSessionAttributes(event.sessionAttributes as Record<string, string>);
    if (typeof session.accountId !== 'string') {
      return new BedrockFunctionResponse({ body: 'This session has no account.', responseState: 'FAILURE', sessionAttributes: event.sessionAttributes });
    }
    const order = lookUpOrder(session.accountId, orderId);
    const answer = { orderId: order.orderId, status: order.status, language: session.preferences?.language ?? 'en' };
    return session.accountType === 'premium' ? { ...answer, deliveryWindow: order.deliveryWindow } : answer;
  },
  { name: 'getOrderStatus', description: "The status of one of the user's orders" },
);

export const handler = (event: unknown, context: Context) => app.resolve(event, context);
