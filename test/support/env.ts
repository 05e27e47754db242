/** Puts environment variables back as they were: an unset one is deleted (assigning undefined would set "undefined"). */
export function restoreEnv(saved: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}
