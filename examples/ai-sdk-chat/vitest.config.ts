import { defineConfig } from 'vitest/config';

// Bundling and a browser take seconds.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 120_000 } });
