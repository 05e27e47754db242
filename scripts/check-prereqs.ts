/** `npm test`'s first step: Java and Chromium there, or what installs them and a non-zero exit (scripts/prereqs.ts). */
import { probePrereqs, prereqVerdict } from './prereqs';

const verdict = prereqVerdict(probePrereqs());
if (!verdict.ok) {
  console.error(['npm test cannot run here yet.', ...verdict.lines, '(`npm run test:unit` needs neither.)'].join('\n'));
  process.exit(1);
}
