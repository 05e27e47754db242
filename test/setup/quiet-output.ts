/**
 * Setup file of every test project: holds back what the worker writes to stdout/stderr (see
 * test/support/output.ts) and prints it after a test that fails. `TEST_LOGS=1` prints everything as it comes.
 */
import { beforeEach } from 'vitest';
import { heldSince, installQuietOutput, outputMark, writeThrough } from '../support/output';

installQuietOutput({ passthrough: process.env.TEST_LOGS === '1' });

beforeEach((ctx) => {
  if (process.env.TEST_LOGS === '1') return;
  const mark = outputMark();
  ctx.onTestFailed(() => {
    const held = heldSince(mark);
    if (held) writeThrough(`\n--- output of the failed test "${ctx.task.name}" (${ctx.task.file?.name ?? ''}) ---\n${held}${held.endsWith('\n') ? '' : '\n'}--- end of output ---\n`);
  });
});
