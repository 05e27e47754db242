/** The SQS client of a container (the insights sweep's jobs, converse's answers to store later): built from nothing in the configuration. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { defineClient } from './clients';

export const sqsClient = defineClient('sqs', { key: () => null, create: () => new SQSClient({ maxAttempts: 3 }) });
