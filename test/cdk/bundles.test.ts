/**
 * What a route function builds at load: each group's entry bundled with the stack's esbuild options, then
 * read from esbuild's metafile (the modules with code in the output). It holds its own group's routes and the
 * schemas they validate with; never the routes' answers (functions/http/responses: types and docs only), nor
 * a pika-shared module that only those answers use, nor another group's routes.
 */
import { build } from 'esbuild';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTE_GROUPS } from '../../functions/http/routes';
import { FUNCTION_BUNDLING, handlerEntry, PROJECT_ROOT } from '../../lib/constructs/chat-functions';

/** The repository files whose code is in the bundle of `entry`. */
async function bundledFiles(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: FUNCTION_BUNDLING.format as 'esm',
    target: FUNCTION_BUNDLING.target,
    minify: FUNCTION_BUNDLING.minify,
    mainFields: FUNCTION_BUNDLING.mainFields,
    external: FUNCTION_BUNDLING.externalModules,
    banner: { js: FUNCTION_BUNDLING.banner },
    absWorkingDir: PROJECT_ROOT,
    outfile: 'index.mjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const [output] = Object.values(result.metafile.outputs);
  return Object.entries(output!.inputs).flatMap(([file, input]) => (input.bytesInOutput > 0 ? [relative(PROJECT_ROOT, file)] : []));
}

const http = (file: string) => join(PROJECT_ROOT, 'functions/http', file);

describe('route function bundles', () => {
  it.each(ROUTE_GROUPS)('%s builds its routes\u2019 request schemas, none of their answers', async (group) => {
    const [fn, routes, answers] = await Promise.all([
      bundledFiles(handlerEntry(group)),
      bundledFiles(http(`routes/${group}.ts`)),
      bundledFiles(http(`responses/${group}.ts`)),
    ]);
    expect(fn).toContain(`functions/http/routes/${group}.ts`);
    expect(fn.filter((f) => f.startsWith('functions/http/responses'))).toEqual([]);
    // The pika-shared modules the group's answers build and its route definitions do not.
    const answerOnly = answers.filter((f) => f.startsWith('shared-types/') && !routes.includes(f));
    expect(fn.filter((f) => answerOnly.includes(f))).toEqual([]);
    const otherRoutes = fn.filter((f) => f.startsWith('functions/http/routes/') && !f.endsWith(`/${group}.ts`) && !f.endsWith('/common.ts'));
    expect(otherRoutes).toEqual([]);
  });

  it('the answer-only modules are real: the sessions answers build records its requests do not', async () => {
    const [routes, answers] = await Promise.all([bundledFiles(http('routes/sessions.ts')), bundledFiles(http('responses/sessions.ts'))]);
    const answerOnly = answers.filter((f) => !routes.includes(f));
    for (const record of ['session-record', 'message', 'file-links', 'feedback-record', 'insights'])
      expect(answerOnly).toContain(`shared-types/src/schemas/${record}.ts`);
  });
});
