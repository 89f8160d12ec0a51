import { createAddressPolicy } from '../../../src/net/address-policy';
import { createSecretSealer } from '../../../src/net/sealed-secret';

const strict = createAddressPolicy([]);

test.each([
  ['127.0.0.1', 'loopback'],
  ['::1', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'linkLocal'],
  ['fe80::1', 'linkLocal'],
  ['fd00:ec2::254', 'uniqueLocal'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['0.0.0.0', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['2002:7f00:1::', '6to4'],
])('%s is refused (%s)', (address, range) => {
  expect(strict.refusal('host', address)).toBe(`is not a public address (${range})`);
});

test.each(['93.184.215.14', '2606:4700::6810:84e5', '8.8.8.8'])('public %s passes', (address) => {
  expect(strict.refusal('example.com', address)).toBeNull();
});

test('an operator allowlist admits hosts by name, IP or CIDR, and nothing else', () => {
  const policy = createAddressPolicy(['mirror.internal', '10.8.0.0/16', '::1', '127.0.0.1']);
  expect(policy.refusal('MIRROR.internal.', '10.99.0.1')).toBeNull();
  expect(policy.refusal('other', '10.8.3.4')).toBeNull();
  expect(policy.refusal('other', '10.9.3.4')).toBe('is not a public address (private)');
  expect(policy.refusal('other', '::1')).toBeNull();
  expect(policy.refusal('other', '::ffff:127.0.0.1')).toBeNull();
  expect(policy.refusal('other', '169.254.169.254')).toBe('is not a public address (linkLocal)');
});

test('sealed credentials open only with the same key and are never the plain text', () => {
  const sealer = createSecretSealer('k'.repeat(32));
  const sealed = sealer.seal('alice:s3cret');
  expect(sealed).toMatch(/^sealed:v1:/);
  expect(sealed).not.toContain('s3cret');
  expect(sealer.open(sealed)).toBe('alice:s3cret');
  expect(() => createSecretSealer('x'.repeat(32)).open(sealed)).toThrow('cannot be opened');
});
