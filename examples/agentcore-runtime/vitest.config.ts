import { defineConfig } from 'vitest/config';

// Type-checking and bundling take seconds.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
