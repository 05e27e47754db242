/**
 * A wire-level HTTP front for DynamoDB Local that refuses what DynamoDB refuses and Local does not (transaction
 * conflicts, per-partition throughput): what the old single module exported. docs/dynamodb-front.md.
 */
export { itemSize, updateEffect } from './items';
export { startDynamoDbFront } from './server';
export type { DynamoDbFront, DynamoDbFrontOptions, DynamoDbFrontStats, HotPartition } from './types';
