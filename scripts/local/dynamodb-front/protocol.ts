/**
 * The wire: DynamoDB's error types and messages, JSON answers with their checksums, cancelled transactions,
 * request bodies, and forwarding a request to DynamoDB Local.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { crc32 } from 'node:zlib';
import type { Answer, Json } from './types';

export const TYPE_PREFIX = 'com.amazonaws.dynamodb.v20120810#';
export const ON_DEMAND_TABLE_MESSAGE =
  'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html';
export const ON_DEMAND_INDEX_MESSAGE =
  'Throughput exceeds the current capacity for one or more global secondary indexes. DynamoDB is automatically scaling your index so please try again shortly.';
export const PROVISIONED_TABLE_MESSAGE =
  'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.';
export const PROVISIONED_INDEX_MESSAGE =
  'The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API';
export const CONFLICT_MESSAGE = 'Transaction is ongoing for the item';
export const WRITE_OPS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'ExecuteTransaction',
  'BatchExecuteStatement',
]);

export function errorBody(type: string, fields: Json): Buffer {
  return Buffer.from(JSON.stringify({ __type: type, ...fields }));
}

export function jsonAnswer(status: number, body: Buffer): Answer {
  return {
    status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(body.length),
      'x-amzn-requestid': randomUUID().replace(/-/g, '').toUpperCase(),
      'x-amz-crc32': String(crc32(body)),
    },
    body,
  };
}

export function withBody(answer: Answer, body: Buffer): Answer {
  return { ...answer, headers: { ...answer.headers, 'content-length': String(body.length), 'x-amz-crc32': String(crc32(body)) }, body };
}

const cancellationMessage = (codes: string[]) => `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`;

export function transactionCanceled(reasons: { Code: string; Message?: string }[]): Answer {
  return jsonAnswer(
    400,
    errorBody(`${TYPE_PREFIX}TransactionCanceledException`, { Message: cancellationMessage(reasons.map((r) => r.Code)), CancellationReasons: reasons }),
  );
}

export const parse = (b: Buffer): Json => {
  try {
    return JSON.parse(b.toString('utf8')) as Json;
  } catch {
    return {};
  }
};

/** Sends the request on to DynamoDB Local (`to.target`) with `body`, and brings its answer back whole. */
export function forward(to: { target: URL; agent: Agent }, req: IncomingMessage, body: Buffer): Promise<Answer> {
  const { target, agent } = to;
  const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
  delete headers.connection;
  delete headers['keep-alive'];
  delete headers['transfer-encoding'];
  headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}
