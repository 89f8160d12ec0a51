import { startTemporalDevServer } from '../../src/temporal/dev-server';

/** `npm run dev`'s Temporal half for the crash tests: starts a dev server (DEV_PORT, DEV_DB), says "ready", waits to be killed. */
async function main(): Promise<void> {
  const server = await startTemporalDevServer({
    cliPath: process.env.TEMPORAL_CLI_PATH ?? null,
    port: Number(process.env.DEV_PORT),
    uiPort: 0,
    dbFile: process.env.DEV_DB,
    headless: true,
  });
  process.stdout.write(`ready ${server.address}\n`);
  setInterval(() => undefined, 60_000);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
