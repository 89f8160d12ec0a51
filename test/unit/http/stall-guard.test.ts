import type { Response } from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { sendBody } from '../../../src/http/files/stall-guard';

const MiB = 1024 * 1024;

/** A file body sent to a client that stops reading: cut after the idle time, the file closed, nothing more sent. */
describe('sendBody', () => {
  it('cuts a client that takes no byte for the idle time and closes the body; a reading client gets everything', async () => {
    let bodyClosed = false;
    let served = 0;
    const body = () => Readable.from((function* chunks() {
      try {
        for (let i = 0; i < 64; i += 1) { served += MiB; yield Buffer.alloc(MiB, i); }
      } finally {
        bodyClosed = true;
      }
    })());
    // The idle limit per request: 500 ms for the client that pauses 2 s; 10 s for the one that reads throughout, so a
    // loaded machine's pause in reading (a GC of its 64 MiB, a starved process: 4 MiB read in one CI run) is not a stall.
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-length': String(64 * MiB) });
      void sendBody(res as unknown as Response, body(), req.url === '/stall' ? 500 : 10_000);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const fetchWithPause = (pauseMs: number) => new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: pauseMs ? '/stall' : '/read' }, (res) => {
        let received = 0;
        res.on('data', (c: Buffer) => { received += c.length; });
        if (pauseMs) res.once('data', () => { res.pause(); setTimeout(() => res.resume(), pauseMs); });
        res.on('error', () => undefined);
        res.on('close', () => resolve(received));
      }).on('error', reject);
    });
    try {
      const stalled = await fetchWithPause(2000);
      expect(stalled).toBeLessThan(64 * MiB);
      expect(bodyClosed).toBe(true);
      expect(served).toBeLessThan(64 * MiB); // the rest of the file was never read
      bodyClosed = false;
      expect(await fetchWithPause(0)).toBe(64 * MiB);
      expect(bodyClosed).toBe(true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
