/**
 * The example as it ships: type-checked as a nodenext project against pika-shared's published build, each
 * handler bundled the way the CDK construct bundles it and invoked by a plain `node` with a real-shaped
 * action-group event, and the CDK stack checked for the agent → action group → Lambda wiring.
 * Needs pika-shared built (dist/): the repository's test run builds it first; standalone, `npm run build -w shared-types`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SupportAgentStack } from '../cdk/agent-stack.js';

const HERE = resolve(import.meta.dirname, '..');
const EVENT = JSON.parse(readFileSync(join(HERE, 'events/get-order-status.json'), 'utf8')) as {
  sessionAttributes: Record<string, string>;
  parameters: { name: string; type: string; value: string }[];
};
const TSC = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');

let out: string;
const bundles = new Map<string, { file: string; inputs: string[] }>();

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'pika-example-action-group-'));
  writeFileSync(
    join(out, 'run.mjs'),
    `import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventFile] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const context = { awsRequestId: 'req-1', functionName: 'orders' };
console.log(JSON.stringify(await handler(JSON.parse(readFileSync(eventFile, 'utf8')), context)));
`,
  );
  for (const entry of ['handler.ts', 'powertools-handler.ts']) {
    const file = join(out, entry.replace(/\.ts$/, '.mjs'));
    // What OrderStatusActionGroup's NodejsFunction bundling does.
    const result = await build({
      entryPoints: [join(HERE, 'src', entry)],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      metafile: true,
      logLevel: 'silent',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    bundles.set(entry, { file, inputs: Object.keys(result.metafile.inputs) });
  }
});

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Invokes a bundled handler in a fresh `node`, as the Lambda runtime would load it. */
function invoke(entry: string, event: unknown): any {
  const eventFile = join(out, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(eventFile, JSON.stringify(event));
  const r = spawnSync(process.execPath, [join(out, 'run.mjs'), bundles.get(entry)!.file, eventFile], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const withAttributes = (change: Record<string, string | undefined>) => {
  const sessionAttributes = { ...EVENT.sessionAttributes, ...change };
  for (const [k, v] of Object.entries(sessionAttributes)) if (v === undefined) delete sessionAttributes[k];
  return { ...EVENT, sessionAttributes };
};

const bodyOf = (res: any) => JSON.parse(res.response.functionResponse.responseBody.TEXT.body);

describe('examples/action-group', () => {
  it('type-checks as a nodenext project against the built pika-shared', () => {
    const r = spawnSync(process.execPath, [TSC, '-p', join(HERE, 'tsconfig.json')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('bundles pika-shared from its published build, not its source', () => {
    for (const { inputs } of bundles.values()) {
      expect(
        inputs.some((i) => /shared-types\/dist\/util\/bedrock\.js$/.test(i)),
        inputs.join('\n'),
      ).toBe(true);
      expect(inputs.filter((i) => i.includes('shared-types/src/'))).toEqual([]);
    }
  });

  for (const entry of ['handler.ts', 'powertools-handler.ts']) {
    describe(entry, () => {
      it("answers with the order, and the delivery window for a premium account (from the session's custom data)", () => {
        const res = invoke(entry, EVENT);
        expect(res.messageVersion).toBe('1.0');
        expect(res.response).toMatchObject({ actionGroup: 'orders', function: 'getOrderStatus' });
        expect(res.response.functionResponse.responseState).toBeUndefined();
        expect(bodyOf(res)).toEqual({ orderId: 'ord-789', status: 'shipped', language: 'en', deliveryWindow: '2024-01-17/2024-01-18' });
      });

      it('leaves the delivery window out for a free account, and reads the JSON-encoded preferences', () => {
        const res = invoke(entry, withAttributes({ accountType: 'free', preferences: '{"language":"de","theme":"dark"}' }));
        expect(bodyOf(res)).toEqual({ orderId: 'ord-789', status: 'shipped', language: 'de' });
      });

      it('fails the call when the session carries no account', () => {
        const res = invoke(entry, withAttributes({ accountId: undefined }));
        expect(res.response.functionResponse.responseState).toBe('FAILURE');
        expect(res.response.functionResponse.responseBody.TEXT.body).toContain('no account');
      });
    });
  }

  it('the plain handler asks the model again (REPROMPT) when the orderId is missing', () => {
    const res = invoke('handler.ts', { ...EVENT, parameters: [] });
    expect(res.response.functionResponse.responseState).toBe('REPROMPT');
  });

  it.each(['plain', 'powertools'] as const)(
    'CDK (%s): the agent has the orders action group, run by the Lambda, which only that agent may invoke',
    (router) => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new SupportAgentStack(app, `SupportAgent-${router}`, { foundationModel: 'anthropic.claude-3-5-haiku-20241022-v1:0', router });
      const t = Template.fromStack(stack);
      const fnId = Object.keys(t.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x', Handler: 'index.handler' } }))[0]!;
      const agentId = Object.keys(t.findResources('AWS::Bedrock::Agent'))[0]!;
      expect(fnId).toBeDefined();
      t.hasResourceProperties('AWS::Bedrock::Agent', {
        ActionGroups: [
          Match.objectLike({
            ActionGroupName: 'orders',
            ActionGroupExecutor: { Lambda: { 'Fn::GetAtt': [fnId, 'Arn'] } },
            FunctionSchema: {
              Functions: [Match.objectLike({ Name: 'getOrderStatus', Parameters: { orderId: Match.objectLike({ Type: 'string', Required: true }) } })],
            },
          }),
        ],
      });
      t.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
        Principal: 'bedrock.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [agentId, 'AgentArn'] },
      });
      t.resourceCountIs('AWS::Bedrock::AgentAlias', 1);
    },
  );
});
