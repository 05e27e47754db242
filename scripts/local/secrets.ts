/** The local server's JWT and cursor secrets, generated once and kept in .data/ (git-ignored). */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const DATA_DIR = join(import.meta.dirname, '../../.data');
const FILE = join(DATA_DIR, 'local-secrets.json');

export interface LocalSecrets {
  jwtSecret: string;
  cursorSecret: string;
}

export function localSecrets(): LocalSecrets {
  if (existsSync(FILE)) return JSON.parse(readFileSync(FILE, 'utf8')) as LocalSecrets;
  const secrets = { jwtSecret: randomBytes(32).toString('base64url'), cursorSecret: randomBytes(32).toString('base64url') };
  mkdirSync(dirname(FILE), { recursive: true });
  writeFileSync(FILE, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
