import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Role } from '../../src/domain/auth/roles';
import { blobKey } from '../../src/storage/artifact-store';
import { draftVersion, sha256 } from '../support/files-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * A one-request upload (PUT, what `curl -T` sends) whose body stops before its end stores nothing: the version does
 * not list the file, no session, part file or blob is left. Without a Content-Length (chunked) the end of the body is
 * the terminating 0-chunk; a connection closed before it is a cut, never a complete file of the truncated size.
 */
let t: TestApp;
let editor: string;
beforeAll(async () => {
  t = await startTestApp();
  editor = await t.token(Role.EDITOR);
});
afterAll(async () => {
  await t?.stop();
});

const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Part files the server holds (uploads being received). */
async function partFiles(): Promise<number> {
  const names = await readdir(t.config.files.uploadDir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.part')).length;
}

/** The request line and headers of a PUT upload, written by hand on a raw socket. */
function head(versionId: string, file: string, framing: string): string {
  return `PUT /files/versions/${versionId}/upload/${file} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${editor}\r\n${framing}\r\n\r\n`;
}

function chunk(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
}

async function connect(): Promise<net.Socket> {
  const socket = net.connect(t.app.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

/** What is left of uploads into the version: listed files, recorded changes, sessions (finished or not). */
async function leftovers(versionId: string) {
  const files = await t.dataSource.query(`SELECT path FROM version_files WHERE version_id = $1`, [versionId]);
  const changes = await t.dataSource.query(`SELECT action, path FROM version_file_changes WHERE version_id = $1`, [versionId]);
  const sessions = await t.dataSource.query(`SELECT id, sha256 FROM upload_sessions WHERE version_id = $1`, [versionId]);
  return { files, changes, sessions, parts: await partFiles() };
}

async function stored(bytes: Buffer): Promise<boolean> {
  return stat(path.join(t.config.artifacts.dir, blobKey(sha256(bytes)))).then(() => true, () => false);
}

async function settled(versionId: string): Promise<void> {
  // The server notices the cut a moment later: wait until no session is still being received.
  await until(async () => (await t.dataSource.query(`SELECT 1 FROM upload_sessions WHERE version_id = $1 AND sha256 IS NULL`, [versionId])).length === 0 && (await partFiles()) === 0, 'the cut to settle');
}

test('a chunked PUT cut before its last chunk stores nothing and leaves nothing behind', async () => {
  const draft = await draftVersion(t);
  const socket = await connect();
  socket.write(head(draft.versionId, 'cut.bin', 'Transfer-Encoding: chunked'));
  for (let i = 0; i < 4; i++) socket.write(chunk(CHUNK));
  await until(async () => (await partFiles()) > 0, 'the upload to start');
  await new Promise((resolve) => setTimeout(resolve, 200));
  socket.destroy(); // before the terminating 0-chunk
  await settled(draft.versionId);

  expect(await leftovers(draft.versionId)).toEqual({ files: [], changes: [], sessions: [], parts: 0 });
  const truncated = Buffer.concat([CHUNK, CHUNK, CHUNK, CHUNK]);
  expect(await stored(truncated)).toBe(false);
  const tree = await t.gql(`query($id: ID!) { version(id: $id) { tree(recursive: true) { entries { path } } } }`, { id: draft.versionId });
  expect(tree.data!.version.tree.entries).toEqual([]);
});

test('a PUT short of its Content-Length stores nothing either (kept)', async () => {
  const draft = await draftVersion(t);
  const socket = await connect();
  socket.write(head(draft.versionId, 'short.bin', `Content-Length: ${CHUNK.length * 4}`));
  socket.write(CHUNK);
  await until(async () => (await partFiles()) > 0, 'the upload to start');
  socket.destroy();
  await settled(draft.versionId);
  expect(await leftovers(draft.versionId)).toEqual({ files: [], changes: [], sessions: [], parts: 0 });
});

test('a chunked PUT that ends with its 0-chunk is stored whole (the answer is 201 with the digest)', async () => {
  const draft = await draftVersion(t);
  const socket = await connect();
  const answer = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (data: Buffer) => {
      text += data.toString();
      if (text.includes('\r\n\r\n') && text.trimEnd().endsWith('}')) resolve(text);
    });
  });
  socket.write(head(draft.versionId, 'whole.bin', 'Transfer-Encoding: chunked'));
  for (let i = 0; i < 3; i++) socket.write(chunk(CHUNK));
  socket.write('0\r\n\r\n');
  const text = await answer;
  socket.destroy();
  const whole = Buffer.concat([CHUNK, CHUNK, CHUNK]);
  expect(text.split('\r\n')[0]).toBe('HTTP/1.1 201 Created');
  expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ path: 'whole.bin', size: whole.length, sha256: sha256(whole) });
  expect((await leftovers(draft.versionId)).files).toEqual([{ path: 'whole.bin' }]);
});

test('`curl -T -` killed mid-stream stores nothing', async () => {
  const draft = await draftVersion(t);
  const url = `http://127.0.0.1:${t.app.port}/files/versions/${draft.versionId}/upload/piped.bin`;
  const curl = spawn('curl', ['-sS', '-T', '-', '-H', `Authorization: Bearer ${editor}`, url], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise((resolve) => curl.once('exit', resolve));
  for (let i = 0; i < 8; i++) curl.stdin.write(CHUNK);
  await until(async () => (await partFiles()) > 0, 'curl to start sending');
  await new Promise((resolve) => setTimeout(resolve, 200));
  curl.kill('SIGKILL');
  await exited;
  await settled(draft.versionId);
  expect(await leftovers(draft.versionId)).toEqual({ files: [], changes: [], sessions: [], parts: 0 });
});
