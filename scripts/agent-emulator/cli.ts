/** npx tsx scripts/agent-emulator/cli.ts [--port 4100] */
import { parseArgs } from 'node:util';
import { startAgentEmulator } from './server';

const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } } });
const emulator = await startAgentEmulator({ port: Number(values.port ?? 4100), host: values.host ?? '127.0.0.1' });
console.log(`Bedrock agent emulator on ${emulator.endpoint} (agents: echo, slow, echo-attributes, faulty, hang; Converse titles)`);
const stop = async () => {
  await emulator.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
