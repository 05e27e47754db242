/** `npm run bench:scale`: section 7 alone (BENCH_QUICK sizes), printed; docs/benchmarks.md is written by `npm run bench` only. */
import { scaleBench } from './scale';
import { scaleSection } from './scale-report';
import { startStack } from './stack';
const stack = await startStack();
try {
  const r = scaleSection(await scaleBench(stack, process.env.BENCH_QUICK !== '0'));
  console.log(r.lines.join('\n'));
  console.log('MISSES', r.misses.join('\n'));
} finally {
  await stack.stop();
}
