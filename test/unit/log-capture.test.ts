/**
 * The test output capture (test/support/output.ts) sees what the handlers' logger writes, so tests that
 * search the logs (test/resilience/privacy.test.ts) really search them — and it holds that output back.
 */
import { describe, expect, it } from 'vitest';
import { logger } from '../../functions/platform/logger';
import { captureLogs, heldSince, outputMark } from '../support/output';

describe('log capture', () => {
  it('captureLogs returns every line the production logger writes, a logged token included', async () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.e30.not-a-real-signature';
    const lines = await captureLogs(async () => {
      logger.info('request', { routeId: 'getMe', status: 200 });
      await new Promise((r) => setTimeout(r, 1));
      logger.error('oops', { authorization: `Bearer ${secret}` });
      process.stderr.write('plain stderr\n');
    });
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'INFO', message: 'request', routeId: 'getMe', status: 200 });
    expect(lines[1]).toContain(secret); // a search for tokens would find it
    expect(lines[2]).toBe('plain stderr');
  });

  it('output is held back during the run, not printed, and kept for failing tests', async () => {
    const mark = outputMark();
    logger.info('held back', { n: 1 });
    expect(heldSince(mark)).toContain('"message":"held back"');
  });
});
