/** npx tsx scripts/agent-emulator/cli.ts [--port 4100] [--silent-ms 20000] [--session-idle-ms 900000] */
import { parseArgs } from 'node:util';
import { AGENTS } from './agents';
import { emulatorRuntimeArn, HARNESS_AGENTS, RUNTIME_AGENTS } from './agentcore';
import { startAgentEmulator } from './server';

const { values } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string' }, 'silent-ms': { type: 'string' }, 'session-idle-ms': { type: 'string' } },
});
const emulator = await startAgentEmulator({
  port: Number(values.port ?? 4100),
  host: values.host ?? '127.0.0.1',
  ...(values['silent-ms'] ? { silentMs: Number(values['silent-ms']) } : {}),
  ...(values['session-idle-ms'] ? { sessionIdleMs: Number(values['session-idle-ms']) } : {}),
});
console.log(
  `Bedrock agent emulator on ${emulator.endpoint}: classic agents ${Object.keys(AGENTS).join(', ')}; ` +
    `harnesses ${Object.keys(HARNESS_AGENTS).join(', ')}; runtimes ${Object.keys(RUNTIME_AGENTS).join(', ')} ` +
    `(e.g. ${emulatorRuntimeArn('echo')}); Converse titles`,
);
const stop = async () => {
  await emulator.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
