import { grantedProjects, hasGlobalRole, hasRole, hasRoleIn, type Principal, Role } from '../../../src/domain/auth/roles';
import { validateDeployment } from '../../../src/domain/deployments/deployment';

const deployer: Principal = { subject: 'ci', roles: [], projects: new Map([['vision', [Role.DEPLOYER]]]) };
const viewer: Principal = { subject: 'v', roles: [], projects: new Map([['vision', [Role.VIEWER]]]) };
const editor: Principal = { subject: 'e', roles: [Role.EDITOR] };

test('a deployer reads its project and deploys there, and passes for nothing higher nor anywhere else', () => {
  expect(hasRoleIn(deployer, 'vision', Role.DEPLOYER)).toBe(true);
  expect(hasRoleIn(deployer, 'vision', Role.VIEWER)).toBe(true);
  expect(hasRoleIn(deployer, 'vision', Role.EDITOR)).toBe(false);
  expect(hasRoleIn(deployer, 'nlp', Role.DEPLOYER)).toBe(false);
  expect(hasRoleIn(deployer, 'nlp', Role.VIEWER)).toBe(false);
  expect(hasRole(deployer, Role.EDITOR)).toBe(false);
  expect(grantedProjects(deployer, Role.VIEWER)).toEqual(['vision']);
});

test('editors (and above) may deploy; viewers may not', () => {
  expect(hasRoleIn(editor, 'anything', Role.DEPLOYER)).toBe(true);
  expect(hasGlobalRole({ subject: 'a', roles: [Role.ADMIN] }, Role.DEPLOYER)).toBe(true);
  expect(hasRoleIn(viewer, 'vision', Role.DEPLOYER)).toBe(false);
  expect(hasRole(viewer, Role.DEPLOYER)).toBe(false);
  expect(hasGlobalRole({ subject: 'g', roles: [Role.VIEWER] }, Role.DEPLOYER)).toBe(false);
});

test('a deployment names an environment and an endpoint without white space or control characters', () => {
  expect(validateDeployment({ versionId: 'x', environment: ' eu-west.prod ', endpoint: 'https://a/v1' })).toEqual({ environment: 'eu-west.prod', endpoint: 'https://a/v1', description: null });
  expect(() => validateDeployment({ versionId: 'x', environment: 'prod env', endpoint: 'a' })).toThrow(/environment/);
  expect(() => validateDeployment({ versionId: 'x', environment: 'prod', endpoint: 'a b' })).toThrow(/endpoint/);
  expect(() => validateDeployment({ versionId: 'x', environment: 'prod', endpoint: 'a\u0000' })).toThrow(/control/);
  expect(() => validateDeployment({ versionId: 'x', environment: '', endpoint: 'a' })).toThrow(/environment/);
});
