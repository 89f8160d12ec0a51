import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { eicar } from '../fixtures/scan-files';
import { type EntryProcess, startEntry } from '../support/entry-process';
import { draftVersion, modelFiles, uploadAndSubmit } from '../support/files-fixtures';
import { freePort } from '../support/free-port';
import type { GraphQLResponse, TestApp } from '../support/test-app';

let dir: string;
let dev: EntryProcess;
let client: TestApp;

/** The few TestApp members the fixtures use, pointed at the `npm run dev` process instead of an in-process app. */
function clientOf(port: number, env: Record<string, string>): TestApp {
  const config = loadConfig(env, dir);
  const token = (role: Role, subject = `${role}-user`) => issueToken(config.auth, subject, [role]);
  const url = `http://127.0.0.1:${port}/graphql`;
  const gql = async (query: string, variables: Record<string, unknown> = {}, opts: { as?: Role | null } = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(opts.as ?? Role.EDITOR)}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<never>;
  };
  return { app: { port, url, stop: async () => undefined }, config, token, gql } as unknown as TestApp;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-dev-clamd-'));
  await mkdir(path.join(dir, 'no-signatures'));
  const port = await freePort();
  const env = {
    NODE_ENV: 'development',
    PORT: String(port),
    DATABASE_URL: process.env.TEST_DATABASE_URL!,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
    TEMPORAL_TASK_QUEUE: `modelhub-dev-${randomBytes(4).toString('hex')}`,
    ARTIFACT_DIR: path.join(dir, 'artifacts'),
    STAGING_DIR: path.join(dir, 'staging'),
    CACHE_DIR: path.join(dir, 'cache'),
    BLOB_GC_INTERVAL_MS: '0',
    RESCAN_INTERVAL_MS: '0',
    // As a fresh machine: no clamd configured and no ClamAV signatures installed; freshclam is tried for real
    // (offline it fails within a second).
    CLAMD_HOST: '',
    CLAMD_PORT: '',
    CLAMD_SOCKET: '',
    CLAMAV_DATABASE_DIR: path.join(dir, 'no-signatures'),
    CLAMD_DEV_DIR: path.join(dir, 'clamav'),
    CLAMD_DEV_PORT: '0',
    FRESHCLAM_TIMEOUT_MS: '30000',
  };
  dev = startEntry('src/dev.ts', env);
  await dev.waitFor(/ModelHub is running/, 240_000);
  client = clientOf(port, env);
}, 300_000);

afterAll(async () => {
  if (dev && dev.child.exitCode === null) dev.child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function scanOf(versionId: string) {
  const res = await client.gql(
    `query($id: ID!) { version(id: $id) { status statusReason scans { status signatureVersion signatureDatabase files { path status clamav findings { rule message } } } } }`,
    { id: versionId },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.version;
}

test('npm run dev without CLAMD_*: a real clamd with the test-only database catches EICAR; a clean upload is SKIPPED for the gate', async () => {
  const output = dev.output();
  expect(output).toMatch(/ClamAV: live, ClamAV 1\.\d+\.\d+ on 127\.0\.0\.1:\d+, with a TEST-ONLY signature database \(EICAR only\)/);
  expect(output).toMatch(/clean verdicts count as SKIPPED for the scan gate/);
  expect(output).toMatch(/freshclam could not update/);
  const clamdPort = Number(/on 127\.0\.0\.1:(\d+), with a TEST-ONLY/.exec(output)![1]);

  const infected = await draftVersion(client);
  const bad = await uploadAndSubmit(client, infected.versionId, new Map([...modelFiles(), ['eicar.com.txt', eicar()]]));
  expect(bad).toMatchObject({ status: 'FAILED', errorCode: 'SCAN_FAILED' });
  const badVersion = await scanOf(infected.versionId);
  expect(badVersion.scans[0]).toMatchObject({ status: 'FAILED', signatureDatabase: 'TEST_ONLY', signatureVersion: expect.stringMatching(/^ClamAV /) });
  expect(badVersion.scans[0].files.find((f: { path: string }) => f.path === 'eicar.com.txt')).toMatchObject({
    status: 'FAILED',
    clamav: 'INFECTED',
    findings: [{ rule: 'clamav-signature', message: 'ClamAV signature Eicar-Test-Signature.UNOFFICIAL' }],
  });

  const clean = await draftVersion(client);
  expect(await uploadAndSubmit(client, clean.versionId, modelFiles())).toMatchObject({ status: 'SUCCEEDED' });
  const cleanVersion = await scanOf(clean.versionId);
  expect(cleanVersion.status).toBe('VERIFIED');
  // ClamAV ran on every file (CLEAN), but a test-only database's clean answer is not a pass.
  expect(cleanVersion.scans[0]).toMatchObject({ status: 'SKIPPED', signatureDatabase: 'TEST_ONLY' });
  expect(cleanVersion.scans[0].files.every((f: { clamav: string }) => f.clamav === 'CLEAN')).toBe(true);

  // Ctrl-C stops clamd with the rest.
  expect(await listening(clamdPort)).toBe(true);
  dev.child.kill('SIGINT');
  expect((await dev.exited).code).toBe(0);
  expect(await listening(clamdPort)).toBe(false);
}, 300_000);
