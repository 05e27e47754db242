/**
 * cdk-nag (AwsSolutions) findings this design accepts, each with its reason. Everything else must pass:
 * the CDK tests fail on any unsuppressed error.
 */
import { type Stack, Validations } from 'aws-cdk-lib';

export function addNagSuppressions(stack: Stack): void {
  const acknowledged: { id: string; reason: string }[] = [
    {
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The AWS-managed minimum for Lambda logging (CreateLogStream/PutLogEvents); table, secret and Bedrock access are customer policies scoped per function.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The AWS-managed role API Gateway needs to write execution and access logs.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) has no resource-level permissions; AWS requires Resource "*".',
    },
    { id: 'AwsSolutions::AwsSolutions-APIG2', reason: 'Bodies are validated in the handlers with the same zod schemas that generate the OpenAPI document (4xx JSON naming each field); API Gateway validates path parameters.' },
    { id: 'AwsSolutions::AwsSolutions-APIG3', reason: 'WAF is account-specific: associate your web ACL with the stage (docs/deploy.md). Stage throttling and the usage plan limit load.' },
    { id: 'AwsSolutions::AwsSolutions-COG4', reason: 'Every method uses the Lambda REQUEST authorizer, which verifies the JWTs of any OIDC issuer (or the HS256 key), not only Cognito user pools.' },
    { id: 'AwsSolutions::AwsSolutions-SMG4', reason: 'The cursor HMAC key and the HS256 token key rotate by redeploying: automatic rotation would invalidate live tokens and cursors mid-session.' },
    { id: 'AwsSolutions::AwsSolutions-L1', reason: 'Node.js 22 is the runtime this code is built and tested on (the node dev dependency pins it); upgrade together with it.' },
    { id: 'AwsSolutions::AwsSolutions-DDB3', reason: 'Point-in-time recovery is a per-stage setting (lib/config/stages.ts): on in staging and prod, off in dev.' },
  ];
  for (const a of acknowledged) Validations.of(stack).acknowledge(a);
}
