import { access, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ValidationError } from '../../../src/domain/common/domain-error';
import { EvalTaskKind, validateSuite } from '../../../src/domain/evaluation/eval-suite';
import { HarnessFailedError, HarnessUnavailableError, runHarnessTask } from '../../../src/evaluation/lm-eval-runner';
import { createAddressPolicy } from '../../../src/net/address-policy';

// A stand-in for the CLI's process behaviour only (argv, environment, stderr, exit, output folder); the real
// lm_eval runs in test/integration/evaluation-runners.test.ts.
const SCRIPT = `#!/bin/sh
out=""; prev=""
for a in "$@"; do [ "$prev" = "--output_path" ] && out="$a"; prev="$a"; done
printf '%s\\n' "$*" > "$LOG/argv"; printf '%s' "$OPENAI_API_KEY" > "$LOG/key"; env > "$LOG/env"
case "$MODE" in
  sleep) sleep 30 ;;
  fail) echo "Traceback (most recent call last):" >&2; echo "KeyError: 'no_such_task'" >&2; exit 3 ;;
esac
printf 'Requesting API:  50%%|#    | 1/2 [00:00<00:00]\\r' >&2
printf 'Requesting API: 100%%|#####| 2/2 [00:00<00:00]\\n' >&2
mkdir -p "$out/m"
echo '{"results":{"t":{"alias":"t","acc,none":0.5,"acc_stderr,none":0.5}},"n-samples":{"t":{"original":2,"effective":2}},"versions":{"t":1.0},"n-shot":{"t":0},"lm_eval_version":"0.4.13"}' > "$out/m/results_2026-01-01T00-00-00.json"
`;

describe('lm_eval subprocess', () => {
  let dir: string;
  const task = validateSuite({ name: 's', tasks: [{ name: 'x', kind: EvalTaskKind.LM_EVAL, harness: { task: 't' } }] }).tasks[0];
  const target = { baseUrl: 'http://127.0.0.1:9', model: 'm', apiKey: 'sk-only-in-env' };
  const settings = (mode: string, bin = path.join(dir, 'lm_eval')) => ({ bin, includePath: null, concurrency: 1, env: { PATH: '/usr/bin:/bin', LOG: dir, MODE: mode } });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-lm-eval-unit-'));
    await writeFile(path.join(dir, 'lm_eval'), SCRIPT);
    await chmod(path.join(dir, 'lm_eval'), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('never gives the harness the key or the endpoint (only the loopback relay), reports the request bar and reads the results file', async () => {
    const progress: [number, number][] = [];
    const score = await runHarnessTask(target, task, settings('ok'), new AbortController().signal, (d, t) => progress.push([d, t]));
    expect(score).toMatchObject({ metric: 'acc', score: 0.5, stderr: 0.5, n: 2, harnessVersion: '0.4.13' });
    expect(progress.at(-1)).toEqual([2, 2]); // one stderr chunk may carry several bar updates: the last counts
    expect(await readFile(path.join(dir, 'key'), 'utf8')).toMatch(/^[0-9a-f]{32}$/); // the relay's token for this run
    const argv = await readFile(path.join(dir, 'argv'), 'utf8');
    expect(argv).toMatch(/base_url=http:\/\/127\.0\.0\.1:\d+\/v1\/completions/);
    expect(argv).not.toContain(':9/');
    expect(argv + (await readFile(path.join(dir, 'env'), 'utf8'))).not.toContain('sk-only-in-env');
    // Nothing of the worker's own environment but what the config passes on.
    expect((await readFile(path.join(dir, 'env'), 'utf8')).split('\n').filter((l) => /^(DATABASE_URL|SECRETS_KEY|JWT_SECRET|JEST_WORKER_ID)=/.test(l))).toEqual([]);
  });

  it('turns a failed run into HarnessFailedError with the end of its stderr', async () => {
    await expect(runHarnessTask(target, task, settings('fail'), new AbortController().signal)).rejects.toThrow(HarnessFailedError);
    await expect(runHarnessTask(target, task, settings('fail'), new AbortController().signal)).rejects.toThrow(/exited with 3: .*KeyError: 'no_such_task'/);
  });

  it('says how to install the harness when there is none', async () => {
    const missing = runHarnessTask(target, task, settings('ok', path.join(dir, 'absent', 'lm_eval')), new AbortController().signal);
    await expect(missing).rejects.toThrow(HarnessUnavailableError);
    await expect(missing).rejects.toThrow(/pip install "lm-eval\[api\]"/);
  });

  it('never starts the harness for a target the address policy refuses (its connections are its own)', async () => {
    // Loopback, as a worker's own services or a metadata address would be: refused without an allow-list entry.
    // The harness (and with tokenizer "remote" its GETs of /tokenizer_info) would otherwise have gone there.
    await rm(path.join(dir, 'argv'), { force: true });
    const refused = runHarnessTask({ ...target, policy: createAddressPolicy([]) }, task, settings('ok'), new AbortController().signal);
    await expect(refused).rejects.toThrow(ValidationError);
    await expect(refused).rejects.toThrow(/target\.url/);
    await expect(access(path.join(dir, 'argv'))).rejects.toThrow(/ENOENT/);
    // Allowed by the policy: it runs.
    await runHarnessTask({ ...target, policy: createAddressPolicy(['127.0.0.1']) }, task, settings('ok'), new AbortController().signal);
    await expect(access(path.join(dir, 'argv'))).resolves.toBeUndefined();
  });

  it('kills the process group on abort', async () => {
    const abort = new AbortController();
    const run = runHarnessTask(target, task, settings('sleep'), abort.signal);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    abort.abort(new Error('cancelled by test'));
    await expect(run).rejects.toThrow('cancelled by test');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
