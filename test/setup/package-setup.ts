/**
 * Builds and packs pika-shared once per run: PIKA_SHARED_TARBALL (test/shared-types/package.test.ts; the
 * examples need the build). The global setup of the tier that holds those tests (vitest.config.ts).
 */
import { rmSync } from 'node:fs';
import { buildAndPackSharedTypes } from './pika-shared-package';
import { shareAcrossProjects } from './shared';

export default () =>
  shareAcrossProjects('pika-shared-tarball', async () => {
    const pack = await buildAndPackSharedTypes();
    process.env.PIKA_SHARED_TARBALL = pack.tarball;
    return () => rmSync(pack.dir, { recursive: true, force: true });
  });
