import { Context } from '@temporalio/activity';

const HEARTBEAT_EVERY_MS = 5000;

/** Heartbeats on a timer while `work` runs: proof of life for steps that move no bytes. */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
