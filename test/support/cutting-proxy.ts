import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CuttingProxy {
  readonly url: string;
  /** Request lines and their Range headers as they passed ("GET /path | bytes=N-"). */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of the API that cuts the first response to a GET whose path contains `match` after
 * `afterBytes` bytes of it passed: a real network cut, for proving that a client resumes with Range.
 */
export async function startCuttingProxy(upstreamPort: number, match: string, afterBytes: number): Promise<CuttingProxy> {
  const requests: string[] = [];
  let cut = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let watching = false;
    let passed = 0;
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      const line = /^(GET|HEAD|POST|PUT|PATCH) (\S+)/m.exec(text);
      if (line) {
        const range = /^range: *(.+?)\r?$/im.exec(text);
        requests.push(`${line[1]} ${decodeURIComponent(line[2])} | ${range?.[1] ?? ''}`);
        if (!cut && line[1] === 'GET' && line[2].includes(match)) {
          watching = true;
          passed = 0;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (watching && !cut) {
        passed += chunk.length;
        if (passed > afterBytes) {
          cut = true;
          client.write(chunk.subarray(0, chunk.length - (passed - afterBytes)));
          client.destroy();
          upstream.destroy();
          return;
        }
      }
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
