/**
 * A global setup shared by the projects (tiers) of one run: started by the first project that needs it, stopped
 * by the last teardown. Projects load their global setup files separately, so the state lives on globalThis.
 */
type Teardown = () => unknown;
const holder = globalThis as { [key: symbol]: { started: Promise<Teardown>; users: number } | undefined };

export async function shareAcrossProjects(name: string, start: () => Promise<Teardown>): Promise<() => Promise<void>> {
  const key = Symbol.for(`pika.test.${name}`);
  const shared = (holder[key] ??= { started: start(), users: 0 });
  shared.users++;
  await shared.started;
  return async () => {
    if (--shared.users > 0) return;
    holder[key] = undefined;
    await (await shared.started)();
  };
}
