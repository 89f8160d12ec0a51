import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Role } from '../../src/domain/auth/roles';
import { modelCard } from '../fixtures/model-files';
import { osSystemPickle } from '../fixtures/scan-files';
import { recordEvidence } from '../support/catalog-fixtures';
import { writeModelDir } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';
import { buildCli, type CliRun, runCli } from './cli-binary';

let t: TestApp;
let cli: Awaited<ReturnType<typeof buildCli>>;
let scratch: string;
let url: string;

beforeAll(async () => {
  [t, cli] = await Promise.all([startTestApp({ worker: true }), buildCli()]);
  scratch = await mkdtemp(path.join(os.tmpdir(), 'modelhub-cli-'));
  url = `http://127.0.0.1:${t.app.port}`;
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await cli?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function as(role: Role, subject: string): Promise<Record<string, string>> {
  return { MODELHUB_URL: url, MODELHUB_TOKEN: await t.token(role, subject), XDG_CONFIG_HOME: path.join(scratch, `config-${subject}`) };
}

function json(run: CliRun): any { // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected field by field
  if (run.code !== 0) throw new Error(`modelhub exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** One line on stderr naming the problem and the code, nothing on stdout, no stack trace. */
function expectOneLineError(run: CliRun, exitCode: number, code: string): void {
  expect(run.code).toBe(exitCode);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^modelhub: .+ \\(${code}\\)$`));
}

test('a bad token, no server and a missing model exit non-zero with one line naming the code', async () => {
  const env = { MODELHUB_URL: url, XDG_CONFIG_HOME: path.join(scratch, 'none') };
  expectOneLineError(await runCli(cli.bin, ['ls'], { ...env, MODELHUB_TOKEN: 'not-a-token' }), 3, 'UNAUTHENTICATED');
  expectOneLineError(await runCli(cli.bin, ['--json', 'whoami'], { ...env, MODELHUB_TOKEN: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' }), 3, 'UNAUTHENTICATED');
  expectOneLineError(await runCli(cli.bin, ['ls'], { ...env, MODELHUB_URL: 'http://127.0.0.1:9' }), 9, 'UNAVAILABLE');
  expectOneLineError(await runCli(cli.bin, ['show', uniqueName('missing')], await as(Role.VIEWER, 'vera')), 5, 'NOT_FOUND');
  const debug = await runCli(cli.bin, ['--debug', 'show', uniqueName('missing')], await as(Role.VIEWER, 'vera'));
  expect(debug.code).toBe(5);
  expect(debug.stderr).toMatch(/\n\s+at /); // --debug shows the stack
});

test('login stores the token 0600; whoami, ls, show, import, watch, alias, promote and audit answer parseable JSON', async () => {
  const editor = await as(Role.EDITOR, 'cli-erin');
  const login = json(await runCli(cli.bin, ['--json', 'login'], editor));
  expect(login).toMatchObject({ url, subject: 'cli-erin' });
  expect((await stat(login.configFile)).mode & 0o777).toBe(0o600);
  const fromFile = { XDG_CONFIG_HOME: editor.XDG_CONFIG_HOME }; // no MODELHUB_* at all: the login is used
  expect(json(await runCli(cli.bin, ['--json', 'whoami'], fromFile))).toMatchObject({ url, subject: 'cli-erin', roles: ['editor'], tokenFrom: 'config' });

  const name = uniqueName('cli-import');
  const dir = await writeModelDir(t);
  const started = json(await runCli(cli.bin, ['--json', 'import', 'disk', dir, '--name', name, '--tag', 'cli-test'], fromFile));
  expect(started).toMatchObject({ kind: 'IMPORT', id: expect.any(String) });
  const watched = json(await runCli(cli.bin, ['--json', 'watch', started.id], fromFile));
  expect(watched).toMatchObject({ id: started.id, status: 'SUCCEEDED', version: { version: '1.0.0', status: 'VERIFIED' } });

  const listed = json(await runCli(cli.bin, ['--json', 'search', name, '--tag', 'cli-test', '--status', 'verified'], fromFile));
  expect(listed.models.map((m: { name: string }) => m.name)).toEqual([name]);
  const shown = json(await runCli(cli.bin, ['--json', 'show', `${name}:default`], fromFile));
  expect(shown).toMatchObject({ version: '1.0.0', status: 'VERIFIED', model: { name } });
  expect(shown.files.map((f: { path: string }) => f.path).sort()).toEqual(['README.md', 'config.json', 'model.safetensors']);

  expect(json(await runCli(cli.bin, ['--json', 'alias', 'set', name, 'staging', '1.0.0', '-m', 'try it'], fromFile))).toMatchObject({ name: 'staging', version: { version: '1.0.0' } });
  expect(json(await runCli(cli.bin, ['--json', 'show', `${name}:staging`], fromFile)).aliases).toEqual(expect.arrayContaining(['staging', 'default']));
  // Only approvers move the protected alias: FORBIDDEN, exit 4.
  expectOneLineError(await runCli(cli.bin, ['alias', 'set', name, 'production', '1.0.0'], fromFile), 4, 'FORBIDDEN');
  expect(json(await runCli(cli.bin, ['--json', 'alias', 'rm', name, 'staging'], fromFile))).toEqual({ model: name, alias: 'staging', removed: true });

  // Promotion: without measured evidence the gate refuses (POLICY_VIOLATION, exit 8); with it, VERIFIED → EVALUATED.
  expectOneLineError(await runCli(cli.bin, ['promote', `${name}@1.0.0`, '-m', 'ready'], fromFile), 8, 'POLICY_VIOLATION');
  await recordEvidence(t, watched.version.id);
  expect(json(await runCli(cli.bin, ['--json', 'promote', `${name}@1.0.0`, '-m', 'ready'], fromFile))).toMatchObject({ target: 'EVALUATED', state: 'APPROVED', version: { status: 'EVALUATED' } });
  const opened = json(await runCli(cli.bin, ['--json', 'promote', `${name}@1.0.0`, '-m', 'ship it'], fromFile));
  expect(opened).toMatchObject({ target: 'PUBLISHED', state: 'OPEN' });
  const approver = await as(Role.APPROVER, 'cli-abe');
  expect(json(await runCli(cli.bin, ['--json', 'reject', `${name}@1.0.0`, '-m', 'not yet'], approver))).toMatchObject({ id: opened.id, state: 'REJECTED', decidedBy: 'cli-abe' });

  const audit = json(await runCli(cli.bin, ['--json', 'audit', name], fromFile));
  expect(audit.entries.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['alias.set', 'alias.removed', 'promotion.requested']));

  const diff = json(await runCli(cli.bin, ['--json', 'diff', `${name}@1.0.0`, ':default'], fromFile));
  expect(diff.files).toEqual([]);
}, 150_000);

test('scan runs the registry\'s scanners on local files: exit 1 on a malicious pickle, 0 on clean files, 2 on missing ones', async () => {
  const dir = path.join(scratch, 'scan');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'evil.pkl'), osSystemPickle('touch /tmp/pwned'));
  await writeFile(path.join(dir, 'README.md'), modelCard({ license: 'mit' }));
  const env = { XDG_CONFIG_HOME: path.join(scratch, 'none') }; // no server needed
  const evil = await runCli(cli.bin, ['--json', 'scan', path.join(dir, 'evil.pkl')], env);
  expect(evil.code).toBe(1);
  const report = JSON.parse(evil.stdout);
  expect(report.summary).toMatchObject({ files: 1, FINDINGS: 1 });
  expect(report.files[0].findings[0]).toMatchObject({ severity: 'CRITICAL', global: expect.stringContaining('system') });
  const human = await runCli(cli.bin, ['scan', dir], env);
  expect(human.code).toBe(1);
  expect(human.stdout).toMatch(/evil\.pkl.*FINDINGS/);
  expect((await runCli(cli.bin, ['scan', path.join(dir, 'README.md')], env)).code).toBe(0);
  expect((await runCli(cli.bin, ['scan', path.join(dir, 'nothing-here')], env)).code).toBe(2);
});
