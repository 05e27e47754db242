/** npm run token -- <userId> [--role r]... [--user-type internal-user|external-user] [--ttl seconds] */
import { parseArgs } from 'node:util';
import { localSecrets } from './local/secrets';
import { mintDevToken } from './local/tokens';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { role: { type: 'string', multiple: true }, 'user-type': { type: 'string' }, ttl: { type: 'string' } },
});
const userId = positionals[0];
const userType = values['user-type'];
if (!userId || (userType && userType !== 'internal-user' && userType !== 'external-user')) {
  console.error('usage: npm run token -- <userId> [--role <role>]... [--user-type internal-user|external-user] [--ttl <seconds>]');
  process.exit(2);
}
console.log(
  await mintDevToken({
    userId,
    roles: values.role ?? [],
    ...(userType ? { userType: userType as 'internal-user' | 'external-user' } : {}),
    ...(values.ttl ? { ttlSeconds: Number(values.ttl) } : {}),
    secret: localSecrets().jwtSecret,
  }),
);
