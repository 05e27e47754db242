/**
 * npm start: DynamoDB Local (persisted under .data/ unless --in-memory), the table from the shared
 * definition, the demo configuration, and the API at http://localhost:3000 (PORT or --port to change), with the
 * browser playground at / and the interactive API reference at /docs (scripts/local/playground.ts).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DATA_DIR, localSecrets } from './local/secrets';
import { buildPlayground, createPlaygroundHandler } from './local/playground';
import { localInsightsPages, startInsightsLoop } from './local/insights';
import { startRetentionLoop } from './local/retention';
import { demoChatApps } from './local/seed';
import { startLocalStack } from './local/stack';
import { mintDevToken } from './local/tokens';

const { values } = parseArgs({ options: { 'in-memory': { type: 'boolean' }, port: { type: 'string' }, 'real-bedrock': { type: 'boolean' } } });
const port = Number(values.port ?? process.env.PORT ?? 3000);
const tableName = process.env.TABLE_NAME ?? 'pika-local';

// PIKA_DYNAMODB_FRONT=1: the handlers reach DynamoDB Local through the front that conflicts and throttles as
// DynamoDB does (docs/dynamodb-front.md); PIKA_DYNAMODB_FRONT_SCALE, _HOLD_MS, _BURST_SECONDS, _CONFLICTS=0, _THROTTLING=0.
const env = process.env;
const num = (v: string | undefined) => (v ? Number(v) : undefined);
const front =
  env.PIKA_DYNAMODB_FRONT === '1'
    ? {
        ...(num(env.PIKA_DYNAMODB_FRONT_SCALE) ? { scale: num(env.PIKA_DYNAMODB_FRONT_SCALE) } : {}),
        ...(env.PIKA_DYNAMODB_FRONT_HOLD_MS ? { holdMs: num(env.PIKA_DYNAMODB_FRONT_HOLD_MS) } : {}),
        ...(env.PIKA_DYNAMODB_FRONT_BURST_SECONDS ? { burstSeconds: num(env.PIKA_DYNAMODB_FRONT_BURST_SECONDS) } : {}),
        conflicts: env.PIKA_DYNAMODB_FRONT_CONFLICTS !== '0',
        throttling: env.PIKA_DYNAMODB_FRONT_THROTTLING !== '0',
      }
    : false;

const secrets = localSecrets();
const userToken = await mintDevToken({ userId: 'demo-user', userType: 'external-user', secret: secrets.jwtSecret });
const adminToken = await mintDevToken({ userId: 'demo-admin', roles: ['pika:content-admin'], userType: 'internal-user', secret: secrets.jwtSecret });
// The playground (/) and the API reference (/docs), on the API's origin, the dev token prefilled.
const playground = createPlaygroundHandler({ token: userToken, chatApps: demoChatApps().map(({ chatAppId, title }) => ({ chatAppId, title })) });
// POST /_local/insights/sweep: `npm run insights` (one sweep now); the loop below sweeps every INSIGHTS_SWEEP_SECONDS.
const pages = localInsightsPages(playground);
void buildPlayground().catch((err: unknown) => console.error('The playground did not build:', err));
// The agent emulator, unless --real-bedrock: then the SDK's default credentials and region reach Bedrock.
const stack = await startLocalStack({
  tableName,
  front,
  ...(values['in-memory'] ? {} : { dbPath: join(DATA_DIR, 'dynamodb') }),
  ...(values['real-bedrock'] ? { realBedrock: true } : { emulator: { port: 0 } }),
  s3: { ...(values['in-memory'] ? {} : { directory: join(DATA_DIR, 's3') }), corsOrigins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`] },
  api: { port, host: '127.0.0.1', pages },
  // Shared usage totals (chat app, entity, agent) are added up from the table's stream, as in AWS.
  usageStream: { pollMs: 1000 },
  env: {
    JWT_SECRET: secrets.jwtSecret,
    CURSOR_SECRET: secrets.cursorSecret,
    CORS_ORIGINS: process.env.CORS_ORIGINS ?? 'http://localhost:5173,http://localhost:3000',
  },
});
const { db, emulator, s3, front: dbFront } = stack;
const insightsLoop = startInsightsLoop((line) => console.log(line));
const retentionLoop = startRetentionLoop((line) => console.log(line));
const api = stack.api!;
const url = `http://localhost:${api.port}`;

console.log(`
Pika chat API listening on ${url}
  Playground: ${url}/  (sign in with the dev token below, prefilled)
  API reference: ${url}/docs
  DynamoDB Local: ${db!.endpoint}${values['in-memory'] ? ' (in memory)' : ' (data in .data/)'}${
    dbFront ? `\n  DynamoDB front (conflicts, throttling): ${dbFront.endpoint}, counters at ${dbFront.endpoint}/_front/stats` : ''
  }
  S3 (uploaded files): ${s3!.endpoint}, bucket ${s3!.bucket}${values['in-memory'] ? ' (temporary)' : ' (objects in .data/s3)'}
  Bedrock: ${emulator ? `agent emulator at ${emulator.endpoint}` : 'real Bedrock (AWS credentials from the environment)'}
  Chat apps: demo (AgentCore harness agent echo), demo-runtime (AgentCore Runtime agent echo-runtime),
             demo-agui (AG-UI server on AgentCore Runtime, agui-runtime),
             demo-classic (Agents Classic agent echo-classic), demo-faulty (agent faulty),
             demo-memory (harness echo agent with user memory: GET/DELETE /users/me/memory)

Dev token (demo-user):
${userToken}

Content-admin token (demo-admin):
${adminToken}

Try:
  TOKEN=${userToken.slice(0, 12)}…   # the whole token above
  curl -s -X POST ${url}/sessions -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"chatAppId":"demo"}'
  curl -s ${url}/sessions -H "authorization: Bearer $TOKEN"
  curl -sN -X POST ${url}/converse -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"chatAppId":"demo","message":"Hello"}'

Insights: idle sessions of chat app demo get generated insights (a sweep every ${process.env.INSIGHTS_SWEEP_SECONDS ?? 60} s; npm run insights sweeps now).
More tokens: npm run token -- <userId> [--role pika:site-admin] [--user-type internal-user]
Ctrl-C stops everything.
`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  insightsLoop.stop();
  retentionLoop.stop();
  await stack.stop();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
