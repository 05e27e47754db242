/** npm run openapi: writes docs/openapi.json and the typed client's route list from the route table. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApi, clientRoutesSource } from '../functions/http/openapi';

const root = join(import.meta.dirname, '..');
export const OPENAPI_FILE = join(root, 'docs/openapi.json');
export const CLIENT_ROUTES_FILE = join(root, 'shared-types/src/client/routes.gen.ts');

writeFileSync(OPENAPI_FILE, `${JSON.stringify(buildOpenApi(), null, 2)}\n`);
writeFileSync(CLIENT_ROUTES_FILE, clientRoutesSource());
console.log(`wrote ${OPENAPI_FILE} and ${CLIENT_ROUTES_FILE}`);
