/** The local stack for benchmarks (scripts/local/stack.ts): DynamoDB Local (in memory), the table, the agent emulator, the local API. */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { startLocalStack } from '../scripts/local/stack';
import { mintDevToken } from '../scripts/local/tokens';

export async function startStack() {
  const tableName = 'pika-bench';
  const jwtSecret = randomBytes(24).toString('hex');
  // The agent emulator accepts connections on a plain net.Server and hands them to its HTTP/1.1 and HTTP/2
  // servers, so its sockets keep Nagle's algorithm on (node:http servers turn it off by default). Its answers
  // are written in small pieces, and a piece that waits for the client's delayed ACK arrives ~40 ms late
  // (measured: InvokeAgentRuntime's first body bytes 40–45 ms after the headers, 2–4 ms with TCP_NODELAY).
  // That is an artifact no AWS endpoint has, and it hit the direct SDK streams and the floor unevenly, so the
  // bench turns TCP_NODELAY on for the sockets of the servers created while the stack starts (the emulator's;
  // the local API's node:http server has it already). The fix belongs in scripts/agent-emulator/server.ts.
  const createServer = net.createServer;
  (net as { createServer: typeof net.createServer }).createServer = ((...args: Parameters<typeof net.createServer>) =>
    createServer(...args).on('connection', (socket: net.Socket) => socket.setNoDelay(true))) as typeof net.createServer;
  const stack = await startLocalStack({
    tableName,
    emulator: { chunkDelayMs: 2 },
    env: { JWT_SECRET: jwtSecret, CURSOR_SECRET: randomBytes(24).toString('hex'), POWERTOOLS_LOG_LEVEL: 'ERROR', CONVERSE_RATE_LIMIT: '0' },
  }).finally(() => {
    (net as { createServer: typeof net.createServer }).createServer = createServer;
  });
  return {
    db: stack.db!,
    emulator: stack.emulator!,
    api: stack.api!,
    tableName,
    token: (userId: string, roles: string[] = []) => mintDevToken({ userId, roles, secret: jwtSecret }),
    stop: () => stack.stop(),
  };
}
export type BenchStack = Awaited<ReturnType<typeof startStack>>;
