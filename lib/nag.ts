/**
 * cdk-nag (AwsSolutions pack) runs as a CDK validation plugin: bin/app.ts and the CDK tests register it, and
 * synth fails on any finding that is not acknowledged. Each construct acknowledges, on its own resources
 * only, the findings its design accepts, always with the reason.
 */
import { Stack, Token, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

const PACK = 'AwsSolutions';

/** `rule` as cdk-nag names it, e.g. `AwsSolutions-IAM5[Resource::*]` for one finding of a rule. */
export function acknowledgeNag(scope: IConstruct, rule: string, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`cdk-nag acknowledgement of ${rule} needs a real reason`);
  Validations.of(scope).acknowledge({ id: `${PACK}::${rule}`, reason });
}

/** Runs the AwsSolutions checks on everything under `scope` (an App or Stage) at synth. */
export function addNagChecks(scope: IConstruct, verbose = true): void {
  Validations.of(scope).addPlugins(new AwsSolutionsChecks(scope, { verbose }));
}

/**
 * An ARN as cdk-nag prints it in a finding id: the stack's partition, region and account tokens become
 * `<AWS::Partition>`, `<AWS::Region>`, `<AWS::AccountId>`; literal values (a stage with a fixed env) stay.
 */
export function nagArn(scope: IConstruct, arn: string): string {
  const stack = Stack.of(scope);
  let out = arn;
  for (const [value, pseudo] of [
    [stack.partition, '<AWS::Partition>'],
    [stack.region, '<AWS::Region>'],
    [stack.account, '<AWS::AccountId>'],
  ] as const) {
    if (Token.isUnresolved(value)) out = out.split(value).join(pseudo);
  }
  return out;
}
