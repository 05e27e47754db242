/**
 * The retention sweep on the local stack (npm start): the same Lambda handler as the EventBridge schedule runs
 * (functions/handlers/retention-sweep.ts), every RETENTION_SWEEP_MINUTES, in-process (never two at once).
 */
import { handler } from '../../functions/handlers/retention-sweep';
import { RETENTION_SWEEP_MINUTES } from '../../lib/constructs/chat-retention';

export function startRetentionLoop(log: (line: string) => void = () => undefined): { stop(): void } {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const r = await handler();
      if (r.renewed || r.expired || r.unfinished)
        log(`retention sweep: ${r.renewed} renewed, ${r.expiring} expiring, ${r.expired} expired, ${r.unfinished} left for later`);
    } catch (err) {
      log(`retention sweep failed: ${(err as Error).message}`);
    } finally {
      running = false;
    }
  }, RETENTION_SWEEP_MINUTES * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
