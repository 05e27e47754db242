/** The insights routes (the route table is functions/http/routes.ts; their answers: ../responses/insights.ts). */
import { putInsightsRequestSchema } from 'pika-shared/schemas';
import { ADMIN_READ, type RouteDef, sessionParams } from './common';

export const INSIGHTS_ROUTES = [
  {
    id: 'getInsights',
    method: 'GET',
    path: '/sessions/{sessionId}/insights',
    group: 'insights',
    summary: 'Insights of a session',
    access: ['user'],
    errors: ['NOT_FOUND'],
    params: sessionParams,
  },
  {
    id: 'putInsights',
    method: 'PUT',
    path: '/sessions/{sessionId}/insights',
    group: 'insights',
    summary: 'Store insights of a session',
    access: ['service'],
    errors: ['NOT_FOUND'],
    params: sessionParams,
    body: putInsightsRequestSchema,
  },
  {
    id: 'getInsightsStatus',
    method: 'GET',
    path: '/sessions/{sessionId}/insights/status',
    group: 'insights',
    summary: 'Where the session\u2019s generated insights stand: pending, generated, or failed and why (admins)',
    access: ADMIN_READ,
    errors: ['NOT_FOUND'],
    params: sessionParams,
  },
] as const satisfies readonly RouteDef[];
