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
import { lambdaBuildOptions, reachableOutputs } from '../../lib/constructs/bundling';
import { handlerEntry, PROJECT_ROOT } from '../../lib/constructs/chat-functions';

/** The repository files whose code is in what the bundle of `entry` can load (index.mjs and every live chunk). */
async function bundledFiles(entry: string): Promise<string[]> {
  const result = await build({
    ...lambdaBuildOptions(entry, join(PROJECT_ROOT, '.data/bundles-test'), { logLevel: 'silent' }),
    absWorkingDir: PROJECT_ROOT,
    write: false,
  });
  const files = new Set<string>();
  for (const out of reachableOutputs(result.metafile))
    for (const [file, input] of Object.entries(result.metafile.outputs[out]!.inputs)) if (input.bytesInOutput > 0) files.add(relative(PROJECT_ROOT, file));
  return [...files];
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
