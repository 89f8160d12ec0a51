import net from 'node:net';
import { Readable } from 'node:stream';
import { ClosedMidStreamError, instream } from '../../../src/scanners/clamav-instream';

/** A daemon that takes the INSTREAM command and `cutAfter` bytes, then resets the connection without answering. */
function cuttingDaemon(cutAfter: number): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => {
    let seen = 0;
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen >= cutAfter) socket.resetAndDestroy();
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, close: () => new Promise((done) => server.close(() => done())) })),
  );
}

test('a daemon that takes part of the stream and resets without an answer is a ClosedMidStreamError, never an answer', async () => {
  const daemon = await cuttingDaemon(3 * 1024 * 1024);
  try {
    const source = Readable.from(Array.from({ length: 64 }, () => Buffer.alloc(1024 * 1024, 0x41)));
    const cut = instream({ socket: null, host: '127.0.0.1', port: daemon.port, timeoutMs: 10_000 }, source);
    await expect(cut).rejects.toBeInstanceOf(ClosedMidStreamError);
    await expect(cut).rejects.toMatchObject({ bytesSent: expect.any(Number) });
  } finally {
    await daemon.close();
  }
});

test('a daemon that is not there fails before any byte: not a mid-stream close', async () => {
  const daemon = await cuttingDaemon(0);
  const { port } = daemon;
  await daemon.close();
  const refused = instream({ socket: null, host: '127.0.0.1', port, timeoutMs: 2000 }, Readable.from([Buffer.alloc(10)]));
  await expect(refused).rejects.toThrow(/ECONNREFUSED/);
  await expect(refused).rejects.not.toBeInstanceOf(ClosedMidStreamError);
});
