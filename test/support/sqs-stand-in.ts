/**
 * A local stand-in for SQS SendMessage (AWS JSON 1.0: POST / with `x-amz-target: AmazonSQS.SendMessage`), for SDK
 * clients sending to a queue URL on it (the deployed tier: a route that starts a lifecycle job). It keeps
 * what was sent; nothing consumes it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SqsStandIn {
  endpoint: string;
  /** Every message sent: its queue URL and body. */
  sent: { queueUrl: string; body: string }[];
  close(): Promise<void>;
}

export async function startSqsStandIn(): Promise<SqsStandIn> {
  const sent: SqsStandIn['sent'] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'AmazonSQS.SendMessage')
      return reply(400, { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: `not supported: ${String(req.headers['x-amz-target'])}` });
    const { QueueUrl, MessageBody } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { QueueUrl?: string; MessageBody?: string };
    sent.push({ queueUrl: String(QueueUrl), body: String(MessageBody) });
    // The client checks the body's MD5 (@aws-sdk/middleware-sdk-sqs).
    reply(200, { MessageId: randomUUID(), MD5OfMessageBody: createHash('md5').update(String(MessageBody)).digest('hex') });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    sent,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
