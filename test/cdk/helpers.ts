/**
 * Synthesizes a stage the way `cdk synth` does (cdk.json's context and feature flags, cdk-nag plugin), in a
 * temporary cloud assembly. Bundling (esbuild, local, no Docker) is opt-in: one test file bundles once.
 */
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { IConstruct } from 'constructs';
import { ROUTE_GROUPS } from '../../functions/http/routes';
import { stageConfig, type StageConfigInput } from '../../lib/config/stages';
import { BACKGROUND_FUNCTIONS, type BackgroundFunction, type FunctionName } from '../../lib/constructs/access-map';
import { lambdaBuildOptions, reachableOutputs } from '../../lib/constructs/bundling';
import { handlerEntry } from '../../lib/constructs/chat-functions';
import { addNagChecks } from '../../lib/nag';
import { PikaChatStack } from '../../lib/pika-chat-stack';
import { quietChildProcesses } from '../support/output';

export const ROOT = join(import.meta.dirname, '../..');
export const CDK_CONTEXT: Record<string, unknown> = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;

export interface Synthesized {
  stack: PikaChatStack;
  template: Template;
  /** The raw template (resources by logical id). */
  json: { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown }> };
  outdir: string;
  report: ValidationReport;
  cleanup(): void;
}

export interface Resource {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, any>;
}

export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
    suppressedViolations?: { ruleName: string; severity: string; reason: string; acknowledgedAt: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

export interface SynthOptions {
  bundle?: boolean;
  /** CDK's built-in CloudFormation validation (slow: a few seconds per stack). */
  cfnValidation?: boolean;
  overrides?: Partial<StageConfigInput>;
}

/** Throws when cdk-nag reports an unacknowledged error, as `cdk synth` does. */
export function synthStage(stage: string, options: SynthOptions = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), `pika-cdk-${stage}-`));
  const app = new App({
    outdir,
    builtinCloudFormationValidation: options.cfnValidation ?? false,
    context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': options.bundle ? ['**'] : [], 'aws:cdk:enable-asset-metadata': true },
  });
  // esbuild (when bundling) writes to pipes, held back like the rest of the test output (test/support/output.ts).
  const { stack, assembly } = quietChildProcesses(() => {
    const stack = new PikaChatStack(app, `PikaChat-${stage}`, { config: stageConfig(stage, options.overrides) });
    addNagChecks(app, false);
    return { stack, assembly: app.synth() };
  });
  const json = assembly.getStackByName(stack.stackName).template;
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  return { stack, template: Template.fromJSON(json), json, outdir, report, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

export const resourcesOf = (s: Synthesized, type: string): [string, Resource][] => Object.entries(s.json.Resources).filter(([, r]) => r.Type === type);

/** Logical id of an L2 construct's CloudFormation resource. */
export const logicalIdOf = (s: Synthesized, construct: IConstruct): string => s.stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** Full path (`/sessions/{sessionId}`) of every API Gateway resource, by logical id. */
export function resourcePaths(s: Synthesized): Map<string, string> {
  const resources = new Map(resourcesOf(s, 'AWS::ApiGateway::Resource'));
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const r = resources.get(id);
    if (!r) return ''; // the root resource
    const parent = r.Properties.ParentId;
    const parentPath = parent.Ref ? pathOf(parent.Ref) : '';
    const path = `${parentPath}/${r.Properties.PathPart}`;
    paths.set(id, path);
    return path;
  };
  for (const id of resources.keys()) pathOf(id);
  return paths;
}

/** Every IAM statement of the stack, with the logical ids of the roles it is attached to. */
export function statementsByRole(s: Synthesized): Map<string, { Action: string | string[]; Resource: unknown; Effect: string }[]> {
  const out = new Map<string, { Action: string | string[]; Resource: unknown; Effect: string }[]>();
  for (const [, policy] of resourcesOf(s, 'AWS::IAM::Policy')) {
    for (const role of policy.Properties.Roles as { Ref: string }[]) {
      out.set(role.Ref, [...(out.get(role.Ref) ?? []), ...policy.Properties.PolicyDocument.Statement]);
    }
  }
  return out;
}

/** Resolved resource of a statement, as a readable string: `Fn::GetAtt` / `Ref` / `Fn::Join` flattened. */
export function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(flat).join('');
  const v = value as Record<string, any>;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(flat).join(v['Fn::Join'][0]);
  if (v['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
  if (v.Ref) return `<${v.Ref}>`;
  return JSON.stringify(v);
}

/**
 * The code of a function as deployed (lib/constructs/bundling.ts: tree-shaken, split into index.mjs and the
 * chunks of its lazy imports), the text of every output file it can load joined — a call in a lazily imported
 * module is in its chunk, not in index.mjs (and a chunk nothing imports is not deployed). Packages stay external and identifiers unminified, so the code's own SDK calls
 * (`new QueryCommand(`) can be read. Nothing is written.
 */
export async function deployedCodeOf(name: FunctionName): Promise<string> {
  const out = await build({
    ...lambdaBuildOptions(handlerEntry(name), join(tmpdir(), 'pika-readable-bundle', name)),
    write: false,
    minify: false,
    packages: 'external',
    logLevel: 'silent',
  });
  const live = new Set(reachableOutputs(out.metafile).map((o) => resolve(o)));
  return out.outputFiles
    .filter((f) => live.has(f.path))
    .map((f) => f.text)
    .join('\n');
}

/** Every function of the access map. */
export const ALL_FUNCTIONS: FunctionName[] = [...ROUTE_GROUPS, 'authorizer', ...BACKGROUND_FUNCTIONS, 'retention-sweep', 'lifecycle-worker'];

/** The synthesized function of an access-map name (route groups, the authorizer, background workers). */
export function functionOf(s: Synthesized, name: FunctionName) {
  if (name === 'authorizer') return s.stack.functions.authorizer;
  if (name === 'retention-sweep') return s.stack.functions.retentionSweep;
  if (name === 'lifecycle-worker') return s.stack.functions.lifecycleWorker;
  if ((BACKGROUND_FUNCTIONS as readonly string[]).includes(name)) return s.stack.functions.background.get(name as BackgroundFunction)!;
  return s.stack.functions.byGroup.get(name as never)!;
}
