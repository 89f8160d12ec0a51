import net from 'node:net';
import { S3ArtifactStore } from '../../../src/storage/s3-artifact-store';

/** A bucket endpoint that accepts connections and reads requests but never answers. */
function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => {
          for (const socket of sockets) socket.destroy();
          return new Promise((done) => server.close(() => done()));
        },
      });
    }),
  );
}

test('a bucket that takes a request and never answers fails it after the idle timeout, not never', async () => {
  const silent = await silentServer();
  try {
    const store = new S3ArtifactStore({
      endpoint: silent.url,
      bucket: 'hung',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      idleTimeoutMs: 500,
    });
    const started = Date.now();
    await expect(store.has('a'.repeat(64))).rejects.toThrow(/timed out after 500 ms of inactivity/);
    // Two attempts (maxAttempts 2) of 500 ms each, plus the SDK's backoff between them.
    expect(Date.now() - started).toBeLessThan(10_000);
  } finally {
    await silent.close();
  }
});
