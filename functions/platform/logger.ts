import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger per container. What may be logged: route ids, statuses, latencies, ids, error codes. Never
 * tokens, headers, request/response bodies or message text (test/api checks this).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'pika-chat' });
