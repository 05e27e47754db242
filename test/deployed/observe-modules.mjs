/**
 * Observation only, not the runtime's: preloaded (`--import`) into each execution environment of the deployed
 * tier (./lambda.ts), it reports every file of the asset directory (LAMBDA_TASK_ROOT) that the process loads —
 * index.mjs, then the chunks it imports — one relative path a line on file descriptor 3. Plain JavaScript: it
 * runs without the test's TypeScript loader.
 */
import { writeSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const assetUrl = pathToFileURL(process.env.LAMBDA_TASK_ROOT + sep).href;
const seen = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (resolved.url.startsWith(assetUrl) && !seen.has(resolved.url)) {
      seen.add(resolved.url);
      writeSync(3, `${resolved.url.slice(assetUrl.length)}\n`);
    }
    return resolved;
  },
});
