/**
 * Setup file of every test project: holds back what the worker writes to stdout/stderr (see
 * test/support/output.ts) and prints it after a test that fails. `TEST_LOGS=1` prints everything as it comes.
 */
import { afterAll, beforeEach } from 'vitest';
import { heldSince, installQuietOutput, outputMark, writeThrough } from '../support/output';

installQuietOutput({ passthrough: process.env.TEST_LOGS === '1' });

const show = (what: string, held: string) => {
  if (held) writeThrough(`\n--- output of ${what} ---\n${held}${held.endsWith('\n') ? '' : '\n'}--- end of output ---\n`);
};
const fileMark = outputMark();
let shown = false;

beforeEach((ctx) => {
  if (process.env.TEST_LOGS === '1') return;
  const mark = outputMark();
  ctx.onTestFailed(() => {
    shown = true;
    show(`the failed test "${ctx.task.name}" (${ctx.task.file?.name ?? ''})`, heldSince(mark));
  });
});

// A hook that failed (beforeAll: the stack did not start…) fails the file without a failed test: show all of it.
// biome-ignore lint/correctness/noEmptyPattern: vitest passes the suite as the second argument of afterAll
afterAll(({}, suite) => {
  if (process.env.TEST_LOGS === '1' || shown) return;
  if (suite.result?.state === 'fail' || suite.result?.errors?.length) show(`${suite.name}, which failed`, heldSince(fileMark));
});
