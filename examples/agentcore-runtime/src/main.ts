/**
 * The container's entry point: AgentCore Runtime sends requests to port 8080 on all interfaces.
 * PORT and HOST override it (the tests use a free loopback port; PORT=0 picks one and logs it).
 */
import type { AddressInfo } from 'node:net';
import { createAgentServer } from './server.js';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '0.0.0.0';
const server = createAgentServer();

server.listen(port, host, () => {
  const { port: listening } = server.address() as AddressInfo;
  console.log(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'listening', host, port: listening }));
});

// The runtime stops a session's container with SIGTERM: finish the answers in flight, then exit.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
