import { defineConfig } from 'tsdown';

/**
 * The package's entry points. package.json `exports` maps `./types/chatbot/*` and `./util/*` by pattern,
 * so a new module there (e.g. src/util/agentcore.ts) becomes public with one line here.
 */
export const entry = [
  'src/types/chatbot/chatbot-types.ts',
  'src/types/chatbot/bedrock.ts',
  'src/util/bedrock.ts',
  'src/util/agentcore.ts',
  'src/util/agentcore-agui.ts',
  'src/util/chat-protocols.ts',
  'src/types/chatbot/agentcore-types.ts',
  'src/schemas/agentcore.ts',
  'src/schemas/index.ts',
  'src/client/index.ts',
];

export default defineConfig({
  entry,
  root: 'src',
  outDir: 'dist',
  // One output file per source module (dist mirrors src): no shared chunks, zod reached from schemas only.
  unbundle: true,
  format: ['esm', 'cjs'],
  // ESM as .js + .d.ts (the package is "type": "module"), CommonJS as .cjs + .d.cts.
  fixedExtension: false,
  platform: 'neutral',
  target: 'es2022',
  dts: true,
  sourcemap: false,
  clean: true,
});
