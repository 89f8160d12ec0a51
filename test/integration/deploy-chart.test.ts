import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ensureGoTool } from '../../src/system/go-tools';
import { HELM } from '../../src/system/helm';

/**
 * The Helm chart under deploy/helm/modelhub, rendered by the real `helm template` (built once like the Temporal CLI
 * when the machine has none) and checked object by object: N API replicas and M workers, migrations in one hook
 * job, probes, non-root security contexts, secrets only from a named Secret, and only settings the code reads.
 */

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const CHART = path.join(ROOT, 'deploy/helm/modelhub');
let helm: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects are inspected field by field
type K8sObject = Record<string, any>;

const REQUIRED = ['--set', 'secrets.existingSecret=modelhub-secrets', '--set', 'temporal.address=temporal-frontend:7233', '--set', 'clamd.host=clamd'];

async function render(args: string[]): Promise<K8sObject[]> {
  const { stdout } = await run(helm, ['template', 'reg', CHART, '--namespace', 'models', ...args], { maxBuffer: 8 * 1024 * 1024 });
  return parseAllDocuments(stdout)
    .map((doc) => doc.toJSON() as K8sObject | null)
    .filter((doc): doc is K8sObject => doc !== null);
}

function one(objects: K8sObject[], kind: string, component: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (o.metadata.labels?.['app.kubernetes.io/component'] === component));
  expect(found).toHaveLength(1);
  return found[0];
}

beforeAll(async () => {
  helm = await ensureGoTool(HELM, process.env.HELM_PATH ?? null, path.join(ROOT, '.tools'), (line) => console.log(line));
}, 1_200_000);

test('helm lint passes and the chart renders N APIs, M workers and one migrate job, each hardened', async () => {
  const lint = await run(helm, ['lint', CHART, ...REQUIRED]);
  expect(lint.stdout).toMatch(/0 chart\(s\) failed/);

  const objects = await render([...REQUIRED, '--set', 'api.replicas=3', '--set', 'worker.replicas=4']);
  const api = one(objects, 'Deployment', 'api');
  const worker = one(objects, 'StatefulSet', 'worker');
  const job = one(objects, 'Job', 'migrate');
  expect(api.spec.replicas).toBe(3);
  expect(worker.spec.replicas).toBe(4);
  expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
  expect(job.spec.template.spec.containers[0].command).toEqual(['node', 'dist/src/cli/migrate.js']);
  // No Secret is rendered: credentials never pass through values.
  expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  expect(objects.find((o) => o.kind === 'PodDisruptionBudget')?.spec.minAvailable).toBe(1);

  for (const workload of [api, worker, job]) {
    const pod = workload.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const container of pod.containers) {
      expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }));
      const env = new Map<string, K8sObject>(container.env.map((e: K8sObject) => [e.name, e]));
      // Replicas never migrate: the hook job does (its own command forces it whatever the setting says).
      expect(env.get('MIGRATE_ON_START')?.value).toBe('false');
      for (const secret of ['DATABASE_URL', 'JWT_SECRET', 'SECRETS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'HF_TOKEN', 'METRICS_TOKEN']) {
        expect(env.get(secret)).toEqual({ name: secret, valueFrom: { secretKeyRef: expect.objectContaining({ name: 'modelhub-secrets', key: secret }) } });
      }
      // Writable places are volumes; the root file system is read-only.
      expect(container.volumeMounts.map((m: K8sObject) => m.mountPath)).toEqual(expect.arrayContaining(['/tmp']));
    }
  }
  const apiContainer = api.spec.template.spec.containers[0];
  expect(apiContainer.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
  expect(apiContainer.livenessProbe.tcpSocket).toEqual({ port: 'http' });
  expect(apiContainer.startupProbe.httpGet.path).toBe('/health');
  // Each worker is a host with a stable id (its per-host task queue) and its own cache volume.
  const workerEnv = worker.spec.template.spec.containers[0].env as K8sObject[];
  expect(workerEnv.find((e) => e.name === 'WORKER_HOST_ID')).toEqual({ name: 'WORKER_HOST_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  expect(worker.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('200Gi');
  // Its own /metrics listener, on all interfaces for the scraper, is what its liveness probe knocks on.
  expect(workerEnv.find((e) => e.name === 'WORKER_METRICS_PORT')?.value).toBe('9464');
  expect(workerEnv.find((e) => e.name === 'HOST')?.value).toBe('0.0.0.0');
  expect(worker.spec.template.spec.containers[0].livenessProbe.tcpSocket).toEqual({ port: 'metrics' });
  expect(one(objects, 'Service', 'worker').spec.clusterIP).toBe('None');
}, 120_000);

test('every setting the chart passes is one the code reads', async () => {
  const objects = await render(REQUIRED);
  const names = new Set<string>();
  for (const o of objects) {
    for (const container of o.spec?.template?.spec?.containers ?? []) for (const e of container.env ?? []) names.add(e.name);
  }
  const sources = await Promise.all(
    (await readdir(path.join(ROOT, 'src/config'))).map((file) => readFile(path.join(ROOT, 'src/config', file), 'utf8')),
  );
  const configSource = sources.join('\n') + (await readFile(path.join(ROOT, 'src/persistence/data-source.ts'), 'utf8'));
  // AWS_* are read by the AWS SDK itself from the environment.
  const unread = [...names].filter((name) => !name.startsWith('AWS_') && !configSource.includes(`'${name}'`) && !configSource.includes(`env.${name}`));
  expect(unread).toEqual([]);
});

test('what the chart cannot run without is named, and the code sandbox is opt-in for workers only', async () => {
  await expect(render([])).rejects.toThrow(/secrets\.existingSecret: name a Secret/);
  await expect(render(['--set', 'secrets.existingSecret=s'])).rejects.toThrow(/temporal\.address/);
  const objects = await render([...REQUIRED, '--set', 'worker.codeSandbox=true', '--set', 'api.replicas=1', '--set', 'api.staging.existingClaim=uploads']);
  expect(one(objects, 'StatefulSet', 'worker').spec.template.spec.securityContext.seccompProfile.type).toBe('Unconfined');
  const api = one(objects, 'Deployment', 'api');
  expect(api.spec.template.spec.securityContext.seccompProfile.type).toBe('RuntimeDefault');
  expect(api.spec.template.spec.volumes.find((v: K8sObject) => v.name === 'data')).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'uploads' } });
  expect(objects.find((o) => o.kind === 'PodDisruptionBudget')).toBeUndefined();
});
