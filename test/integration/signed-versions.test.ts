import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Role } from '../../src/domain/auth/roles';
import { uniqueName, startTestApp, type TestApp } from '../support/test-app';
import { draftVersion, filesUrl, modelFiles, uploadAndSubmit, writeFolder } from '../support/files-fixtures';
import { importModel, waitForOperation, writeModelDir } from '../support/onboarding-fixtures';
import { ensureModelSigningVenv, modelSigning } from '../support/model-signing-python';
import { ensureHfVenv, hfPython } from '../support/hf-python';

const run = promisify(execFile);
let t: TestApp;
let scratch: string;
const keys = { priv: '', pub: '', otherPub: '', caCert: '', leafKey: '', leafCert: '', otherCa: '' };

const SIGNATURE = `signature { signed valid signer { method keyFingerprint certificateSubject certificateSan } coveredFiles problems sha256 }`;
const VERSION = `query($id: ID!) { version(id: $id) { status statusReason ${SIGNATURE} registrySignature { signed valid signer { method keyFingerprint } coveredFiles } files { path sha256 } } }`;

async function openssl(...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: scratch });
}

/** A CA (basicConstraints CA, keyCertSign) and a leaf for code signing under it, all P-256, made with openssl. */
async function makeCa(name: string): Promise<string> {
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30',
    '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  return path.join(scratch, `${name}.pem`);
}

beforeAll(async () => {
  await Promise.all([ensureModelSigningVenv(), ensureHfVenv()]);
  t = await startTestApp({ worker: true });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'modelhub-signing-'));
  await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'key.pem');
  await openssl('ec', '-in', 'key.pem', '-pubout', '-out', 'pub.pem');
  await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'other.pem');
  await openssl('ec', '-in', 'other.pem', '-pubout', '-out', 'other-pub.pem');
  keys.priv = path.join(scratch, 'key.pem');
  keys.pub = path.join(scratch, 'pub.pem');
  keys.otherPub = path.join(scratch, 'other-pub.pem');
  keys.caCert = await makeCa('ca');
  keys.otherCa = await makeCa('other-ca');
  await writeFile(path.join(scratch, 'leaf.ext'), 'keyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\nsubjectAltName=email:signer@example.com\n');
  await openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=model signer/O=Example');
  await openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '10', '-extfile', 'leaf.ext');
  keys.leafKey = path.join(scratch, 'leaf.key');
  keys.leafCert = path.join(scratch, 'leaf.pem');
}, 600_000);
afterAll(async () => {
  await t?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const pem = (file: string) => readFile(file, 'utf8');
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

async function configure(project: string, input: Record<string, unknown>) {
  const res = await t.gql(`mutation($i: ConfigureProjectInput!) { configureProject(input: $i) { id policy { requireSignature } signing { trustedKeys { fingerprint } trustedCertificates { subject } } } }`,
    { i: { id: project, ...input } }, { as: Role.ADMIN });
  expect(res.errors).toBeUndefined();
  return res.data!.configureProject;
}

/** A model folder with a `.gitattributes` (left out by the tool's defaults, and by our check) — not yet signed. */
async function modelFolder(extra: Map<string, Buffer> = new Map()): Promise<string> {
  const dir = path.join(scratch, uniqueName('model'));
  await writeFolder(dir, new Map([...modelFiles(), ['.gitattributes', Buffer.from('*.safetensors filter=lfs\n')], ...extra]));
  return dir;
}

async function folderFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const { stdout } = await run('find', ['.', '-type', 'f'], { cwd: dir });
  for (const rel of stdout.split('\n').filter(Boolean)) files.set(rel.replace(/^\.\//, ''), await readFile(path.join(dir, rel)));
  return files;
}

/** Registers a model in `project`, uploads the folder as its 1.0.0 and waits for the import to settle. */
async function uploadIn(project: string, dir: string) {
  const name = uniqueName('signed');
  const reg = await t.gql(`mutation($i: RegisterModelInput!) { registerModel(input: $i) { id } }`, { i: { name, sourceType: 'CUSTOM', project } });
  expect(reg.errors).toBeUndefined();
  const draft = await draftVersion(t, '1.0.0', reg.data!.registerModel.id);
  const operation = await uploadAndSubmit(t, draft.versionId, await folderFiles(dir));
  const version = (await t.gql(VERSION, { id: draft.versionId }, { as: Role.VIEWER })).data!.version;
  return { name, modelId: reg.data!.registerModel.id as string, versionId: draft.versionId, operation, version };
}

test('a model signed by `model_signing sign key` imports VERIFIED with a valid signature, its signer and the files it covers', async () => {
  const project = uniqueName('sig-key');
  const configured = await configure(project, { trustedSigningKeys: [await pem(keys.pub)] });
  expect(configured.signing.trustedKeys).toEqual([{ fingerprint: sha256(await pem(keys.pub)) }]);
  const dir = await modelFolder();
  const signed = await modelSigning(['sign', 'key', dir, '--private_key', keys.priv, '--signature', path.join(dir, 'model.sig')]);
  expect(signed.output).toContain('Signing succeeded');

  const { operation, version } = await uploadIn(project, dir);
  expect(operation.status).toBe('SUCCEEDED');
  expect(version.status).toBe('VERIFIED');
  expect(version.signature).toEqual({
    signed: true,
    valid: true,
    // model_signing names the key by the sha256 of its PEM: the hint in the bundle, and ours.
    signer: { method: 'KEY', keyFingerprint: sha256(await pem(keys.pub)), certificateSubject: null, certificateSan: null },
    coveredFiles: [...modelFiles().keys()].sort(),
    problems: [],
    sha256: sha256(await readFile(path.join(dir, 'model.sig'))),
  });
  expect(version.registrySignature).toBeNull();
});

test('a byte changed after signing is caught: NEEDS_ATTENTION naming the file, as the tool itself says', async () => {
  const project = uniqueName('sig-tamper');
  await configure(project, { trustedSigningKeys: [await pem(keys.pub)] });
  const dir = await modelFolder();
  await modelSigning(['sign', 'key', dir, '--private_key', keys.priv, '--signature', path.join(dir, 'model.sig')]);
  const file = path.join(dir, 'tokenizer', 'tokenizer_config.json');
  await writeFile(file, (await readFile(file, 'utf8')).replace('2048', '2049'));
  // The tool agrees (read its message: some 1.x releases exit 0 on a failed verification).
  const tool = await modelSigning(['verify', 'key', dir, '--signature', path.join(dir, 'model.sig'), '--public_key', keys.pub]);
  expect(tool.output).toMatch(/Verification failed.*Hash mismatch for \W{1,3}tokenizer\/tokenizer_config\.json/s);

  const { operation, version } = await uploadIn(project, dir);
  expect(operation).toMatchObject({ status: 'FAILED', errorCode: 'VERIFICATION_FAILED' });
  expect(version.status).toBe('NEEDS_ATTENTION');
  expect(version.statusReason).toContain('signature: model.sig does not verify: files differ from the signed digest: tokenizer/tokenizer_config.json');
  expect(version.signature).toMatchObject({ signed: true, valid: false, signer: { method: 'KEY', keyFingerprint: sha256(await pem(keys.pub)) } });
  expect(version.signature.coveredFiles).not.toContain('tokenizer/tokenizer_config.json');
});

test('a key given at import is trusted for that import; a key nobody trusts is a finding', async () => {
  const dir = await writeModelDir(t);
  await modelSigning(['sign', 'key', dir, '--private_key', keys.priv, '--signature', path.join(dir, 'model.sig')]);
  const untrusted = await importModel(t, { name: uniqueName('sig-untrusted'), project: uniqueName('sig-none'), source: { sourceType: 'DISK', path: dir } });
  const failed = await waitForOperation(t, untrusted.data!.importModel.id);
  expect(failed.status).toBe('FAILED');
  expect(failed.errorMessage).toContain('signed with a key, and no public key is trusted');

  const wrongKey = await importModel(t, { name: uniqueName('sig-wrong'), signingPublicKey: await pem(keys.otherPub), source: { sourceType: 'DISK', path: dir } });
  expect((await waitForOperation(t, wrongKey.data!.importModel.id)).errorMessage).toContain('which is not one of the trusted keys');

  const given = await importModel(t, { name: uniqueName('sig-given'), signingPublicKey: await pem(keys.pub), source: { sourceType: 'DISK', path: dir } });
  expect((await waitForOperation(t, given.data!.importModel.id)).status).toBe('SUCCEEDED');
  const version = (await t.gql(VERSION, { id: given.data!.importModel.version.id })).data!.version;
  expect(version.signature).toMatchObject({ valid: true, signer: { method: 'KEY' } });

  const bad = await importModel(t, { name: uniqueName('sig-bad'), signingPublicKey: 'not a key', source: { sourceType: 'DISK', path: dir } });
  expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
});

const TRANSITION = `mutation($id: ID!, $to: LifecycleStage!) { transitionVersion(id: $id, to: $to, reason: "test") { status } }`;
const EASY_TARGETS = [{ target: 'EVALUATED', gates: ['CHECKSUMS_VERIFIED', 'SCAN_PASSED'] }, { target: 'PUBLISHED', gates: ['CHECKSUMS_VERIFIED', 'SCAN_PASSED'] }];

test('where a project requires signatures, a key given at import does not count: not at import, not at promotion', async () => {
  const dir = await writeModelDir(t);
  await modelSigning(['sign', 'key', dir, '--private_key', keys.priv, '--signature', path.join(dir, 'model.sig')]);
  const strict = uniqueName('sig-strict');
  await configure(strict, { requireSignature: true });
  // Whoever imports chose both the signature and the key: that proves nothing the project asked for.
  const selfVouched = await importModel(t, { name: uniqueName('sig-self'), project: strict, signingPublicKey: await pem(keys.pub), source: { sourceType: 'DISK', path: dir } });
  const failed = await waitForOperation(t, selfVouched.data!.importModel.id);
  expect(failed.status).toBe('FAILED');
  expect(failed.errorMessage).toContain(`project "${strict}" requires a signature by a signer it trusts, and a key given at import does not count`);
  const refused = (await t.gql(VERSION, { id: selfVouched.data!.importModel.version.id })).data!.version;
  expect(refused.status).toBe('NEEDS_ATTENTION');
  expect(refused.signature).toMatchObject({ signed: true, valid: false, signer: { method: 'KEY', keyFingerprint: sha256(await pem(keys.pub)) } });

  // Verified where signatures were not required (the given key counted there); the project then requires them.
  const lax = uniqueName('sig-lax');
  await configure(lax, { targets: EASY_TARGETS });
  const earlier = await importModel(t, { name: uniqueName('sig-earlier'), project: lax, signingPublicKey: await pem(keys.pub), source: { sourceType: 'DISK', path: dir } });
  expect((await waitForOperation(t, earlier.data!.importModel.id)).status).toBe('SUCCEEDED');
  const versionId = earlier.data!.importModel.version.id as string;
  expect((await t.gql(VERSION, { id: versionId })).data!.version).toMatchObject({ status: 'VERIFIED', signature: { valid: true } });
  await configure(lax, { requireSignature: true });
  const gated = await t.gql(TRANSITION, { id: versionId, to: 'EVALUATED' }, { as: Role.APPROVER });
  expect(gated.errors![0].extensions).toMatchObject({ code: 'POLICY_VIOLATION', gate: 'signature-valid' });
  expect(gated.errors![0].message).toContain('the key given at import');
  expect((await t.gql(VERSION, { id: versionId })).data!.version.status).toBe('VERIFIED');
  // The project trusting that key itself lets the same version through.
  await configure(lax, { trustedSigningKeys: [await pem(keys.pub)] });
  const moved = await t.gql(TRANSITION, { id: versionId, to: 'EVALUATED' }, { as: Role.APPROVER });
  expect(moved.errors).toBeUndefined();
  expect(moved.data!.transitionVersion.status).toBe('EVALUATED');
});

test('a certificate signature is verified again at promotion against the CA certificates the project trusts then', async () => {
  const dir = await modelFolder();
  await modelSigning(['sign', 'certificate', dir, '--private_key', keys.leafKey, '--signing_certificate', keys.leafCert, '--certificate_chain', keys.caCert,
    '--signature', path.join(dir, 'model.sig')]);
  const project = uniqueName('sig-ca-now');
  await configure(project, { trustedSigningCertificates: [await pem(keys.caCert)], requireSignature: true, targets: EASY_TARGETS });
  const { versionId, version } = await uploadIn(project, dir);
  expect(version).toMatchObject({ status: 'VERIFIED', signature: { valid: true, signer: { method: 'CERTIFICATE' } } });
  // The CA is replaced by another (the first was compromised): some CA is still trusted, but not the one this chain ends at.
  await configure(project, { trustedSigningCertificates: [await pem(keys.otherCa)] });
  const gated = await t.gql(TRANSITION, { id: versionId, to: 'EVALUATED' }, { as: Role.APPROVER });
  expect(gated.errors![0].extensions).toMatchObject({ code: 'POLICY_VIOLATION', gate: 'signature-valid' });
  expect(gated.errors![0].message).toContain(`verified again against the CA certificates project "${project}" trusts now`);
  expect(gated.errors![0].message).toContain('does not chain to a trusted CA certificate');
  await configure(project, { trustedSigningCertificates: [await pem(keys.otherCa), await pem(keys.caCert)] });
  const moved = await t.gql(TRANSITION, { id: versionId, to: 'EVALUATED' }, { as: Role.APPROVER });
  expect(moved.errors).toBeUndefined();
  expect(moved.data!.transitionVersion.status).toBe('EVALUATED');
});

test('an unsigned model under a project that requires signatures is refused with a clear message', async () => {
  const project = uniqueName('sig-required');
  expect((await configure(project, { requireSignature: true })).policy.requireSignature).toBe(true);
  const { operation, version } = await uploadIn(project, await modelFolder());
  expect(operation.status).toBe('FAILED');
  expect(version.status).toBe('NEEDS_ATTENTION');
  expect(version.statusReason).toContain(`signature: project "${project}" requires a valid upstream signature and the files carry no model.sig`);
  expect(version.signature).toEqual({ signed: false, valid: null, signer: null, coveredFiles: [], problems: [], sha256: null });
});

test('certificate-based signing: a leaf under a trusted CA is valid (subject and SAN recorded); under another CA it is not', async () => {
  const dir = await modelFolder();
  const signed = await modelSigning(['sign', 'certificate', dir, '--private_key', keys.leafKey, '--signing_certificate', keys.leafCert, '--certificate_chain', keys.caCert,
    '--signature', path.join(dir, 'model.sig')]);
  expect(signed.output).toContain('Signing succeeded');
  expect((await modelSigning(['verify', 'certificate', dir, '--signature', path.join(dir, 'model.sig'), '--certificate_chain', keys.caCert])).output).toContain('Verification succeeded');

  const trusting = uniqueName('sig-ca');
  const configured = await configure(trusting, { trustedSigningCertificates: [await pem(keys.caCert)] });
  expect(configured.signing.trustedCertificates).toEqual([{ subject: 'CN=ca' }]);
  const good = await uploadIn(trusting, dir);
  expect(good.version.status).toBe('VERIFIED');
  expect(good.version.signature).toMatchObject({
    valid: true,
    signer: { method: 'CERTIFICATE', keyFingerprint: null, certificateSubject: 'CN=model signer, O=Example', certificateSan: 'email:signer@example.com' },
  });

  const other = uniqueName('sig-other-ca');
  await configure(other, { trustedSigningCertificates: [await pem(keys.otherCa)] });
  const refused = await uploadIn(other, dir);
  expect(refused.version.status).toBe('NEEDS_ATTENTION');
  expect(refused.version.statusReason).toContain('does not chain to a trusted CA certificate');
  expect(refused.version.signature.signer.certificateSubject).toBe('CN=model signer, O=Example');
});

test('a version we published verifies with `model_signing verify key` after snapshot_download through /hf, and from the tar', async () => {
  const project = uniqueName('sig-pub');
  await configure(project, { trustedSigningKeys: [await pem(keys.pub)], targets: EASY_TARGETS });
  const dir = await modelFolder();
  await modelSigning(['sign', 'key', dir, '--private_key', keys.priv, '--signature', path.join(dir, 'model.sig')]);
  const upstreamSig = sha256(await readFile(path.join(dir, 'model.sig')));
  const { name, versionId, version } = await uploadIn(project, dir);
  expect(version.status).toBe('VERIFIED');
  const hfUrl = `http://127.0.0.1:${t.app.port}/hf`;
  const token = `hf_${await t.token(Role.VIEWER)}`;
  const revision = async (rev: string) => fetch(`${hfUrl}/api/models/${project}/${name}/revision/${rev}`, { headers: { authorization: `Bearer ${token}` } });
  const before = (await (await revision('1.0.0')).json()) as { sha: string };

  for (const to of ['EVALUATED', 'PUBLISHED']) {
    const moved = await t.gql(TRANSITION, { id: versionId, to }, { as: Role.APPROVER });
    expect(moved.errors).toBeUndefined();
  }
  const published = (await t.gql(VERSION, { id: versionId })).data!.version;
  const keyRes = await fetch(`http://127.0.0.1:${t.app.port}/signing/public-key.pem`);
  expect(keyRes.status).toBe(200);
  const registryKey = path.join(scratch, `${project}-registry.pem`);
  await writeFile(registryKey, await keyRes.text());
  expect(published.registrySignature).toMatchObject({ signed: true, valid: true, signer: { method: 'KEY', keyFingerprint: sha256(await readFile(registryKey)) } });
  expect(published.registrySignature.coveredFiles).toEqual([...modelFiles().keys()].sort());
  // The upstream signature stays on record; what is served as model.sig is ours.
  expect(published.signature).toMatchObject({ valid: true, sha256: upstreamSig });
  const servedSig = published.files.find((f: { path: string }) => f.path === 'model.sig');
  expect(servedSig.sha256).not.toBe(upstreamSig);

  // The signed file list is a revision of its own: the commit clients cached before publish names nothing now.
  const after = (await (await revision('1.0.0')).json()) as { sha: string; siblings: { rfilename: string }[] };
  expect(after.sha).not.toBe(before.sha);
  expect(after.siblings.map((s) => s.rfilename)).toContain('model.sig');
  expect((await revision(before.sha)).status).toBe(404);
  expect((await revision(after.sha)).status).toBe(200);

  const local = path.join(scratch, `${project}-local`);
  const cache = path.join(scratch, `${project}-cache`);
  const snapshot = (
    await hfPython(
      `import os
from huggingface_hub import snapshot_download
snapshot_download(os.environ["REPO"], revision="1.0.0", endpoint=os.environ["ENDPOINT"], token=os.environ["TOKEN"], local_dir=os.environ["LOCAL"])
print(snapshot_download(os.environ["REPO"], revision="1.0.0", endpoint=os.environ["ENDPOINT"], token=os.environ["TOKEN"], cache_dir=os.environ["CACHE"]))`,
      { REPO: `${project}/${name}`, ENDPOINT: hfUrl, TOKEN: token, LOCAL: local, CACHE: cache },
    )
  ).trim();
  // local_dir keeps .cache/huggingface/ bookkeeping inside the folder: our signature leaves it out, so no flag is needed.
  const verifyLocal = await modelSigning(['verify', 'key', local, '--signature', path.join(local, 'model.sig'), '--public_key', registryKey]);
  expect(verifyLocal.output).toContain('Verification succeeded');
  // The cache's snapshot folder is symlinks into blobs/.
  const verifyCache = await modelSigning(['verify', 'key', snapshot, '--signature', path.join(snapshot, 'model.sig'), '--public_key', registryKey, '--allow_symlinks']);
  expect(verifyCache.output).toContain('Verification succeeded');
  // The upstream signer's key does not verify what we signed.
  expect((await modelSigning(['verify', 'key', local, '--signature', path.join(local, 'model.sig'), '--public_key', keys.pub])).output).toContain('Verification failed');

  const tar = await fetch(`${filesUrl(t)}/versions/${versionId}/tar`, { headers: { authorization: `Bearer ${await t.token(Role.VIEWER)}` } });
  const untar = path.join(scratch, `${project}-tar`);
  await mkdir(untar, { recursive: true });
  await writeFile(path.join(scratch, `${project}.tar`), Buffer.from(await tar.arrayBuffer()));
  await run('tar', ['-xf', path.join(scratch, `${project}.tar`), '-C', untar]);
  expect((await modelSigning(['verify', 'key', untar, '--signature', path.join(untar, 'model.sig'), '--public_key', registryKey])).output).toContain('Verification succeeded');
  await writeFile(path.join(untar, 'config.json'), '{}');
  expect((await modelSigning(['verify', 'key', untar, '--signature', path.join(untar, 'model.sig'), '--public_key', registryKey])).output).toMatch(/Verification failed.*config\.json/s);

  // The hub's refs name the signed commit; a push to main on top of it (parent = that commit) makes the next patch
  // without our model.sig: it vouched for 1.0.0 only, and would not verify against the changed files.
  const pushed = JSON.parse(
    await hfPython(
      `import json, os
from huggingface_hub import HfApi
api = HfApi(endpoint=os.environ["ENDPOINT"], token=os.environ["TOKEN"])
refs = api.list_repo_refs(os.environ["REPO"])
info = api.upload_file(path_or_fileobj=b"notes", path_in_repo="notes.txt", repo_id=os.environ["REPO"], parent_commit=os.environ["PARENT"])
print(json.dumps({"tags": {t.name: t.target_commit for t in refs.tags}, "main": [b.target_commit for b in refs.branches if b.name == "main"], "oid": info.oid}))`,
      { REPO: `${project}/${name}`, ENDPOINT: hfUrl, TOKEN: `hf_${await t.token(Role.EDITOR)}`, PARENT: after.sha },
    ),
  );
  expect(pushed).toMatchObject({ tags: { '1.0.0': after.sha }, main: [after.sha] });
  const next = await waitForVersion(name, '1.0.1');
  expect(next.status).toBe('VERIFIED');
  expect(next.signature.signed).toBe(false);
  expect(next.files.map((f: { path: string }) => f.path)).not.toContain('model.sig');
}, 300_000);

async function waitForVersion(model: string, version: string) {
  for (let i = 0; i < 300; i += 1) {
    const res = await t.gql(`query($n: String!) { modelByName(name: $n) { versions { id version status } } }`, { n: model }, { as: Role.VIEWER });
    const found = (res.data?.modelByName.versions as { id: string; version: string; status: string }[] | undefined)?.find((v) => v.version === version);
    if (found && !['DRAFT', 'INGESTING'].includes(found.status)) return (await t.gql(VERSION, { id: found.id })).data!.version;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`version ${version} of ${model} did not settle`);
}
