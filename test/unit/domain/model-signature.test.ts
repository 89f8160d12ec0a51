import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { commitOfVersion, isSignedCommit, versionOfCommit } from '../../../src/domain/files/hub-revision';
import {
  buildKeyBundle,
  buildStatement,
  compareFiles,
  isIgnored,
  pae,
  parseBundle,
  parseStatement,
  SignatureFormatError,
  unsupportedSerialization,
} from '../../../src/domain/signing/model-signature';
import { keyFingerprint, verifyEnvelope } from '../../../src/domain/signing/signature-trust';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const files = [
  { path: 'config.json', sha256: A },
  { path: 'weights/model.safetensors', sha256: B },
  { path: '.gitattributes', sha256: A },
  { path: '.cache/huggingface/download/x.metadata', sha256: A },
  { path: 'model.sig', sha256: B },
];

function signed(payload: Buffer) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const bundle = buildKeyBundle(payload, sign('sha256', pae(payload), privateKey), keyFingerprint(publicKey));
  return { bundle, publicKey };
}

describe('the model-signing format', () => {
  test('the statement lists every served file but the ignored ones, and round-trips', () => {
    const statement = parseStatement(buildStatement('m', files));
    expect(statement.resources.map((r) => r.name)).toEqual(['config.json', 'weights/model.safetensors']);
    expect(statement.ignorePaths).toEqual(expect.arrayContaining(['.git', '.gitattributes', '.github', '.gitignore', 'model.sig', '.cache/huggingface']));
    expect(compareFiles(statement, files)).toEqual({ covered: ['config.json', 'weights/model.safetensors'], extra: [], missing: [], mismatched: [] });
    expect(unsupportedSerialization(statement)).toBeNull();
  });

  test('a changed digest, a missing and an extra file are each named', () => {
    const statement = parseStatement(buildStatement('m', files));
    const stored = [{ path: 'config.json', sha256: B }, { path: 'extra.bin', sha256: A }];
    expect(compareFiles(statement, stored)).toEqual({ covered: [], extra: ['extra.bin'], missing: ['weights/model.safetensors'], mismatched: ['config.json'] });
  });

  test('ignore rules are path prefixes at the root, as the tool applies them', () => {
    expect(isIgnored('.git/config', ['.git'])).toBe(true);
    expect(isIgnored('.gitmodules', ['.git'])).toBe(false);
    expect(isIgnored('sub/.gitignore', ['.gitignore'])).toBe(false);
  });

  test('a statement whose files do not hash to its subject is refused', () => {
    const doc = JSON.parse(buildStatement('m', files).toString()) as { predicate: { resources: { digest: string }[] } };
    doc.predicate.resources[0].digest = B;
    expect(() => parseStatement(Buffer.from(JSON.stringify(doc)))).toThrow(SignatureFormatError);
  });

  test('an envelope verifies with its key only; garbage is not a bundle', () => {
    const payload = buildStatement('m', files);
    const { bundle, publicKey } = signed(payload);
    const parsed = parseBundle(bundle);
    expect(verifyEnvelope(parsed, { keys: [publicKey], certificates: [] })).toMatchObject({ valid: true, signer: { method: 'KEY', keyFingerprint: keyFingerprint(publicKey) } });
    const other = createPublicKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }));
    expect(verifyEnvelope(parsed, { keys: [other], certificates: [] })).toMatchObject({ valid: false, problem: expect.stringContaining('not one of the trusted keys') });
    const tampered = parseBundle(bundle);
    tampered.payload = Buffer.from(tampered.payload.toString().replace('config.json', 'config.jsom'));
    expect(verifyEnvelope(tampered, { keys: [publicKey], certificates: [] })).toMatchObject({ valid: false });
    expect(() => parseBundle(Buffer.from('{"mediaType":"x"}'))).toThrow(SignatureFormatError);
    expect(() => parseBundle(Buffer.from('not json'))).toThrow(SignatureFormatError);
  });
});

test('a registry-signed version is another hub commit that maps to the same version', () => {
  const id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
  const plain = commitOfVersion(id);
  const signedCommit = commitOfVersion(id, true);
  expect(signedCommit).not.toBe(plain);
  expect(versionOfCommit(signedCommit)).toBe(id);
  expect(isSignedCommit(signedCommit)).toBe(true);
  expect(isSignedCommit(plain)).toBe(false);
});
