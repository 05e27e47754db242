/** Model pricing per 1 000 tokens. */
import * as z from 'zod';
import { nonNegative } from './common';

export const modelPricingSchema = z.object({ inputPer1kTokens: nonNegative, outputPer1kTokens: nonNegative });
