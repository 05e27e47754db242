/**
 * `npm test`'s first step: Java, Chromium and the build tools there, or what installs them and a non-zero exit
 * (scripts/prereqs.ts); then AWS's Lambda runtime interface client built once (scripts/lambda-ric.ts).
 */
import { buildLambdaRic, LAMBDA_RIC_VERSION, lambdaRicBuilt } from './lambda-ric';
import { probePrereqs, prereqVerdict } from './prereqs';

const verdict = prereqVerdict(probePrereqs());
if (!verdict.ok) {
  console.error(['npm test cannot run here yet.', ...verdict.lines, '(`npm run test:unit` needs neither.)'].join('\n'));
  process.exit(1);
}
if (!lambdaRicBuilt()) {
  console.log(`Building AWS's Lambda runtime interface client (aws-lambda-ric ${LAMBDA_RIC_VERSION}) once for the deployed tier: a minute or two …`);
  const built = buildLambdaRic();
  if (!built.ok) {
    console.error(`npm test cannot run here yet: ${built.reason}`);
    process.exit(1);
  }
}
