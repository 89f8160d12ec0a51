import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '../../src/domain/auth/roles';
import { sha256 } from '../fixtures/model-files';
import { errorCode } from '../support/catalog-fixtures';
import { importModel, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/** Imports that fetch URLs never reach loopback, private, link-local or metadata addresses unless allowed. */

const BODY = Buffer.from('weights of a tiny model, served over http on loopback');
const PASSWORD = 's3cr3t-pa55';

let files: http.Server;
let filesUrl: string;
/** URL_IMPORT_ALLOW empty: the production default. */
let strict: TestApp;
/** The test default (loopback allowed), with a worker: the local file server plays a public host. */
let open: TestApp;

function serveFiles(): http.Server {
  return http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/model.dat') {
      res.writeHead(200, { 'content-length': BODY.length });
      res.end(req.method === 'HEAD' ? undefined : BODY);
    } else if (url === '/private.dat') {
      if (req.headers.authorization !== `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-length': BODY.length });
      res.end(req.method === 'HEAD' ? undefined : BODY);
    } else if (url === '/to-file') {
      res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    } else if (url === '/to-metadata') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    } else if (url === '/loop') {
      res.writeHead(302, { location: '/loop' }).end();
    } else {
      res.writeHead(404).end();
    }
  });
}

beforeAll(async () => {
  files = serveFiles();
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  strict = await startTestApp({ env: { URL_IMPORT_ALLOW: '' } });
  open = await startTestApp({ worker: true });
});
afterAll(async () => {
  await strict?.stop();
  await open?.stop();
  await new Promise((resolve) => files.close(resolve));
});

async function responsive(t: TestApp): Promise<number> {
  const started = Date.now();
  const res = await t.gql('{ licenses { id } }', {}, { as: Role.VIEWER });
  expect(res.errors).toBeUndefined();
  return Date.now() - started;
}

test.each([
  ['the API itself on loopback', () => strict.app.url.replace('/graphql', '/health'), 'loopback'],
  ['the file server on loopback', () => `${filesUrl}/model.dat`, 'loopback'],
  ['localhost, resolved by DNS', () => `http://localhost:${new URL(filesUrl).port}/model.dat`, 'loopback'],
  ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/iam/', 'linkLocal'],
  ['a private address', () => 'http://10.20.30.40:8080/model.dat', 'private'],
  ['IPv4-mapped IPv6 loopback', () => 'http://[::ffff:127.0.0.1]/model.dat', 'loopback'],
  ['the unspecified address', () => 'http://0.0.0.0/model.dat', 'unspecified'],
])('a URL import of %s is BAD_USER_INPUT at once and records nothing', async (_case, url, range) => {
  const name = uniqueName('ssrf');
  const res = await importModel(strict, { name, source: { sourceType: 'URL', url: url() } });
  expect(errorCode(res)).toBe('BAD_USER_INPUT');
  expect(res.errors![0].extensions!.field).toBe('url');
  expect(res.errors![0].message).toContain(`is not a public address (${range})`);
  // No status code, size or hash of the internal host: nothing was contacted.
  expect(res.errors![0].message).not.toMatch(/\b(200|401|404|500)\b|answered|bytes/);
  const [row] = await strict.dataSource.query('SELECT count(*)::int AS n FROM models WHERE name = $1', [name]);
  expect(row.n).toBe(0);
  expect(await responsive(strict)).toBeLessThan(1000);
});

test('an allowed local host imports; its redirect to http→file or to the metadata address fails the import at once', async () => {
  const ok = await importModel(open, { name: uniqueName('allowed'), source: { sourceType: 'URL', url: `${filesUrl}/model.dat`, sha256: sha256(BODY) } });
  expect(ok.errors).toBeUndefined();
  expect((await waitForOperation(open, ok.data!.importModel.id)).status).toBe('SUCCEEDED');

  for (const [path, reason] of [
    ['/to-file', 'redirects to a file: URL; only http and https are followed'],
    ['/to-metadata', '169.254.169.254 is not a public address (linkLocal)'],
    ['/loop', 'more than 5 redirects'],
  ]) {
    const started = Date.now();
    const res = await importModel(open, { name: uniqueName('redirect'), source: { sourceType: 'URL', url: `${filesUrl}${path}` } });
    expect(res.errors).toBeUndefined();
    const op = await waitForOperation(open, res.data!.importModel.id);
    expect([path, op.status]).toEqual([path, 'FAILED']);
    expect(op.errorMessage).toContain(reason);
    // Refused, not retried: no backoff rounds before the verdict.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await responsive(open)).toBeLessThan(1000);
  }
});

test('credentials in a URL are sealed: the import uses them, no field, row or message shows them', async () => {
  const url = `${filesUrl.replace('://', `://alice:${PASSWORD}@`)}/private.dat`;
  const res = await importModel(open, { name: uniqueName('creds'), source: { sourceType: 'URL', url } });
  expect(res.errors).toBeUndefined();
  const op = await waitForOperation(open, res.data!.importModel.id);
  expect(op.status).toBe('SUCCEEDED');
  const shown = await open.gql(
    `query($id: ID!) { model(id: $id) { sourceUri transitions { reason } versions { source transitions { reason } } operations { errorMessage message } } }`,
    { id: res.data!.importModel.model.id },
    { as: Role.VIEWER },
  );
  expect(shown.errors).toBeUndefined();
  const text = JSON.stringify(shown.data);
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain('alice');
  expect(shown.data!.model.versions[0].source).toMatchObject({ url: `${filesUrl}/private.dat`, credentials: '[sealed]' });
  // Stored sealed: neither the version row, the operation's input nor the transitions hold the password.
  const rows = await open.dataSource.query(
    `SELECT v.source::text AS source, o.input::text AS input FROM model_versions v JOIN operations o ON o.version_id = v.id WHERE v.id = $1`,
    [res.data!.importModel.version.id],
  );
  expect(rows[0].source).toContain('sealed:v1:');
  expect(rows[0].source + rows[0].input).not.toContain(PASSWORD);

  // Wrong credentials: FORBIDDEN verdict, message without them.
  const wrong = await importModel(open, { name: uniqueName('creds-bad'), source: { sourceType: 'URL', url: url.replace(PASSWORD, 'nope') } });
  const failed = await waitForOperation(open, wrong.data!.importModel.id);
  expect(failed.status).toBe('FAILED');
  expect(failed.errorMessage).toContain('refused access (401)');
  expect(failed.errorMessage).not.toContain('nope');
});
