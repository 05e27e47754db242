/**
 * npm run insights: one sweep of generated session insights (idle sessions whose latest activity has none).
 * Asks the running `npm start` (PORT, default 3000) to sweep; without one, sweeps the data under .data/
 * itself with the agent emulator. INSIGHTS_IDLE_SECONDS shortens the idle time of turns written from now on.
 */
import { join } from 'node:path';
import { DATA_DIR, localSecrets } from './local/secrets';
import { mintDevToken } from './local/tokens';

const port = Number(process.env.PORT ?? 3000);
// The sweep endpoint is for site admins: a dev token signed with npm start's local secret.
const admin = await mintDevToken({ userId: 'demo-site-admin', roles: ['pika:site-admin'], secret: localSecrets().jwtSecret, ttlSeconds: 300 });
const viaServer = await fetch(`http://127.0.0.1:${port}/_local/insights/sweep`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } }).catch(
  () => undefined,
);
if (viaServer?.ok) {
  console.log('npm start swept:', await viaServer.text());
} else if (viaServer && viaServer.status !== 404) {
  console.error(`npm start refused the sweep: ${viaServer.status} ${await viaServer.text()}`);
  process.exitCode = 1;
} else {
  console.log('npm start is not running here: sweeping .data/ with the agent emulator');
  const { startLocalStack } = await import('./local/stack');
  const stack = await startLocalStack({ dbPath: join(DATA_DIR, 'dynamodb'), api: false });
  try {
    const { runLocalInsightsSweep } = await import('./local/insights');
    console.log(JSON.stringify(await runLocalInsightsSweep()));
  } finally {
    await stack.stop();
  }
}
