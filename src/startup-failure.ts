/**
 * The last word of a process that could not start: the reason first, on its own line (never a bare
 * `undefined`), then the stack for whoever debugs it, then exit 1. The process's own children (the embedded
 * PostgreSQL, the Temporal dev server) are stopped by their exit hooks.
 */
export function reportStartupFailure(error: unknown): never {
  const message = error instanceof Error ? error.message : `startup failed: ${String(error)}`;
  console.error(`\nModelHub could not start: ${message}\n`);
  if (error instanceof Error && error.stack) console.error(error.stack);
  process.exit(1);
}
