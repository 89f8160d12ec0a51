/**
 * Ctrl-C during a transfer: stop the requests (what arrived stays on the server or in the part files) and
 * let the command exit 130 with a one-line hint, instead of Node's default instant death mid-write.
 * A second Ctrl-C exits at once.
 */
export function onInterrupt(stop: () => void): () => void {
  let count = 0;
  const handler = () => {
    count += 1;
    if (count > 1) process.exit(130);
    stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
