/**
 * The dev pages `npm start` serves (issue 28, item 8): the dev token only to a loopback Host (DNS rebinding),
 * the insights sweep only for a site admin. Each case failed before its fix.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localInsightsPages } from '../../scripts/local/insights';
import { createPlaygroundHandler } from '../../scripts/local/playground';
import { type LocalApi, startLocalApi } from '../../scripts/local/server';
import { useLocalStack } from '../support/stack';
import { ROLES, token, uid } from './harness';

useLocalStack({ emulator: false }); // DynamoDB Local and the environment the handlers read
const DEV_TOKEN = 'dev-token-for-the-playground';
let sweeps = 0;
let api: LocalApi;

beforeAll(async () => {
  // npm start's pages in front of the API; the sweep itself is tested in test/converse/insights-generation.test.ts.
  const sweep = async () => {
    sweeps++;
    return { due: 0, queued: 0, gaveUp: 0, failedJobs: 0 };
  };
  api = await startLocalApi({ pages: localInsightsPages(createPlaygroundHandler({ token: DEV_TOKEN }), sweep) });
});
afterAll(() => api?.close());

/** A raw HTTP request with the Host header a browser sends (fetch cannot set it). */
function raw(method: string, path: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.url}${path}`, { method, headers, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('/playground/config.json and /docs/config.json', () => {
  it('hand the dev token to loopback hosts only (with or without a port)', async () => {
    for (const path of ['/playground/config.json', '/docs/config.json']) {
      for (const host of ['localhost', 'localhost:3000', 'LOCALHOST:3000', '127.0.0.1', '127.0.0.1:3000', '[::1]', '[::1]:3000']) {
        const r = await raw('GET', path, { host });
        expect([r.status, host]).toEqual([200, host]);
        expect(JSON.parse(r.text)).toEqual({ token: DEV_TOKEN });
      }
      for (const host of ['evil.example', 'evil.example:3000', 'localhost.evil.example', '127.0.0.1.nip.io:3000', 'localhost:3000@evil', '10.0.0.1:3000']) {
        const r = await raw('GET', path, { host });
        expect([r.status, host]).toEqual([403, host]);
        expect(r.text).not.toContain(DEV_TOKEN);
        expect(JSON.parse(r.text).error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('localhost') });
      }
      const none = await raw('GET', path, {}); // no Host: Node's server answers 400 itself
      expect([400, 403]).toContain(none.status);
      expect(none.text).not.toContain(DEV_TOKEN);
    }
  });
});

describe('POST /_local/insights/sweep', () => {
  it('needs a site admin token: 401 without a valid one, 403 for others, and only then sweeps', async () => {
    const host = { host: 'localhost:3000' };
    const without = await raw('POST', '/_local/insights/sweep', host);
    expect([without.status, JSON.parse(without.text).error.code]).toEqual([401, 'UNAUTHORIZED']);
    const forged = await raw('POST', '/_local/insights/sweep', { ...host, authorization: 'Bearer a.b.c' });
    expect(forged.status).toBe(401);
    for (const roles of [[], [ROLES.contentAdmin], [ROLES.service]]) {
      const r = await raw('POST', '/_local/insights/sweep', { ...host, authorization: `Bearer ${await token(uid('dev'), roles)}` });
      expect([r.status, JSON.parse(r.text).error.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect(sweeps).toBe(0);
    const ok = await raw('POST', '/_local/insights/sweep', { ...host, authorization: `Bearer ${await token(uid('dev'), [ROLES.siteAdmin])}` });
    expect([ok.status, JSON.parse(ok.text)]).toEqual([200, { due: 0, queued: 0, gaveUp: 0, failedJobs: 0 }]);
    expect(sweeps).toBe(1);
  });
});
