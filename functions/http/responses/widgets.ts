/** The widget data routes' success answers (the routes: ../routes/widgets.ts). */
import * as z from 'zod';
import { userWidgetDataSchema } from 'pika-shared/schemas';
import type { WIDGETS_ROUTES } from '../routes/widgets';
import { deleted, type ResponsesOf } from './common';

const widgetData = z.object({ scope: z.string(), tag: z.string(), data: userWidgetDataSchema });

export const WIDGETS_RESPONSES = {
  getWidgetData: widgetData,
  putWidgetData: widgetData,
  deleteWidgetData: deleted,
} satisfies ResponsesOf<typeof WIDGETS_ROUTES>;
