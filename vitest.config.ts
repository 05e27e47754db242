import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The test tiers, one vitest project each, by directory: a new test file lands in the tier of its directory
 * (test/unit/tiers.test.ts fails when a test file is in no tier or in two).
 * - unit: pure modules — no DynamoDB Local, no servers, no package build; runs in seconds (no global setup).
 * - integration: the real DynamoDB Local (started once by test/setup/global-setup.ts), the local API, the agent
 *   emulator.
 * - slow: the generated authorization matrix and the fuzzing, CDK synthesis, the deployed bundles, pika-shared as
 *   its users install it (built and packed once by test/setup/package-setup.ts) and the spec's examples compiled
 *   against that build, the examples and the browser tests (headless Chromium).
 * - big: the two files that write tens of thousands of items (100,000 messages deleted, 10,000 feedback reports),
 *   each on a DynamoDB Local of its own (test/support/own-dynamodb.ts): sharing nothing, they run side by side, in
 *   a group of their own (vitest runs a group's files at most `maxWorkers` at once, and the groups one after the
 *   other; the others run one file at a time where there are 2 cores: the default maxWorkers is cores - 1).
 */
const SLOW = [
  'test/resilience/authz-matrix.test.ts',
  'test/resilience/fuzz.test.ts',
  'test/resilience/fuzz-protocols.test.ts',
  'test/resilience/fuzz-tool-results.test.ts',
  'test/cdk/**/*.test.ts',
  'test/deployed/**/*.test.ts',
  'test/shared-types/package.test.ts',
  // The spec's examples compile against pika-shared as built (shared-types/dist): built here by the package setup.
  'test/shared-types/spec-examples.test.ts',
  'examples/*/test/**/*.test.ts',
  'test/browser/**/*.test.ts',
];
const BIG = ['test/resilience/big-session-delete.test.ts', 'test/data/bounded-items.test.ts'];
const DYNAMODB = 'test/setup/global-setup.ts';
const PACKAGE = 'test/setup/package-setup.ts';
export const TIERS: Record<'unit' | 'integration' | 'slow' | 'big', { include: string[]; exclude: string[]; globalSetup: string[] }> = {
  unit: { include: ['test/shared-types/**/*.test.ts', 'test/unit/**/*.test.ts'], exclude: SLOW, globalSetup: [] },
  integration: { include: ['test/{data,api,converse,emulator,resilience}/**/*.test.ts'], exclude: [...SLOW, ...BIG], globalSetup: [DYNAMODB] },
  slow: { include: SLOW, exclude: [], globalSetup: [DYNAMODB, PACKAGE] },
  big: { include: BIG, exclude: [], globalSetup: [DYNAMODB] },
};

export default defineConfig({
  // pika-shared/* from source, as tsconfig.json's paths say (its package exports point at the built dist/).
  resolve: { tsconfigPaths: true },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Output of the code under test (logs, bundling) is held back: printed after a failing test; TEST_LOGS=1 prints all.
    setupFiles: ['test/setup/quiet-output.ts', 'test/setup/config-reset.ts'],
    // The JSON report lets .ci/run print a plain 'N passed, N failed' line (one report for all tiers).
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    // `npm test` runs every tier; `npm run test:unit|test:integration|test:slow` one. A tier's global setup
    // runs only when that tier has files to run; tiers share what the setups start (one DynamoDB Local a run).
    projects: Object.entries(TIERS).map(([name, tier]) => ({
      extends: true,
      test: {
        name,
        include: tier.include,
        exclude: [...configDefaults.exclude, ...tier.exclude],
        ...(tier.globalSetup.length ? { globalSetup: tier.globalSetup } : {}),
        ...(name === 'big' ? { maxWorkers: 2, sequence: { groupOrder: 1 } } : {}),
      },
    })),
  },
});
