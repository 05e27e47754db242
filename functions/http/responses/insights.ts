/** The insights routes' success answers (the routes: ../routes/insights.ts). */
import { sessionInsightsSchema, sessionInsightsStatusSchema } from 'pika-shared/schemas';
import type { INSIGHTS_ROUTES } from '../routes/insights';
import type { ResponsesOf } from './common';

export const INSIGHTS_RESPONSES = {
  getInsights: sessionInsightsSchema,
  putInsights: sessionInsightsSchema,
  getInsightsStatus: sessionInsightsStatusSchema,
} satisfies ResponsesOf<typeof INSIGHTS_ROUTES>;
