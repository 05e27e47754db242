/** Widget data: a free-form JSON object per user, scope and tag. */
import * as z from 'zod';
import { safeRecordSchema } from './common';

export const userWidgetDataSchema = safeRecordSchema;

export const setWidgetDataBodySchema = z.strictObject({ data: safeRecordSchema, partial: z.boolean().optional() });
