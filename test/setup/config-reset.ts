/**
 * Functions parse their configuration once per container (functions/platform/config.ts). Tests and the local server
 * run in one long-lived process and change the environment between cases: every change to process.env drops
 * the parsed configuration, so the next use parses the new environment (and builds new clients for it).
 */
import { resetConfig } from '../../functions/platform/config';

const env = process.env;
process.env = new Proxy(env, {
  set(target, key, value) {
    const ok = Reflect.set(target, key, value);
    resetConfig();
    return ok;
  },
  deleteProperty(target, key) {
    const ok = Reflect.deleteProperty(target, key);
    resetConfig();
    return ok;
  },
});
