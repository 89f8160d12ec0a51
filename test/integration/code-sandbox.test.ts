import { takeTurns } from '../support/exclusive';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EvalTaskKind, validateSuite } from '../../src/domain/evaluation/eval-suite';
import { runSandboxed, type SandboxLimits, type SandboxSettings, sandboxAvailable, SandboxUnavailableError } from '../../src/evaluation/code-sandbox';
import { runCodeTest } from '../../src/evaluation/code-verdict';
import { CodeSandboxUnavailableError, probeCodeSandbox, requireCodeSandbox, SANDBOX_HINT } from '../../src/evaluation/sandbox-probe';

// Timing-sensitive and core-hungry test files take turns (test/support/exclusive.ts).
takeTurns('cores');

const limits: SandboxLimits = { wallMs: 8000, cpuSeconds: 3, memoryBytes: 256 * 1024 * 1024, processes: 16, fileBytes: 1024 * 1024, workBytes: 8 * 1024 * 1024 };
const unique = () => randomBytes(4).toString('hex');

/**
 * This process's descendants that are the sandbox's (bwrap, prlimit, python), with their owner as the host sees it:
 * whatever a contained program leaves running is among them, since its PID namespace hangs below our bwrap.
 */
function sandboxProcesses(): { pid: number; uid: string }[] {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    const stat = readProc(`/proc/${entry}/stat`);
    const close = stat.lastIndexOf(')');
    if (close < 0) continue;
    names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
    parents.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
  }
  const below = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (below.has(parent) && !below.has(pid)) { below.add(pid); grew = true; }
    }
  }
  return [...below]
    .filter((pid) => /^(bwrap|prlimit|python3(\.\d+)?)$/.test(names.get(pid) ?? ''))
    .map((pid) => ({ pid, uid: /^Uid:\s+(\d+)/m.exec(readProc(`/proc/${pid}/status`))?.[1] ?? '?' }));
}

function readProc(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // the process ended meanwhile
  }
}

/** Never skipped: without what the sandbox needs the tests fail, saying what to install or allow. */
function requireSandboxTools(): void {
  const missing: string[] = [];
  if (spawnSync('bwrap', ['--version']).status !== 0) missing.push('bubblewrap (apt-get install bubblewrap)');
  if (['prlimit', 'setpriv', 'unshare'].some((tool) => spawnSync(tool, ['--version']).status !== 0)) missing.push('util-linux (prlimit, setpriv, unshare)');
  if (!existsSync('/usr/bin/python3')) missing.push('python3 (apt-get install python3)');
  if (missing.length) throw new Error(`the code-task sandbox tests need ${missing.join(', ')}`);
  if (!sandboxAvailable()) throw new Error(`bwrap cannot build its sandbox here as an unprivileged user: ${SANDBOX_HINT}`);
}

// One loopback service on the host for every test: no sandboxed code may ever reach it.
let hits = 0;
let url: string;
let server: http.Server;
beforeAll(async () => {
  requireSandboxTools();
  server = http.createServer((_req, res) => { hits += 1; res.end('5'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

describe('code sandbox (bubblewrap, started unprivileged)', () => {
  it('runs ordinary code and writes in its own folder, as an unprivileged user with no capabilities', async () => {
    const pending = runSandboxed([
      'def add(a, b):\n    return a + b\nassert add(2, 3) == 5',
      'open("scratch.txt", "w").write("ok")',
      'import os, time',
      'print(os.getuid(), [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")])',
      'time.sleep(1.5)',
    ].join('\n'), limits);
    // Seen from the host while it runs: the sandbox's processes belong to nobody (tests run as root) or to this user.
    let owners: string[] = [];
    for (let i = 0; i < 40 && !owners.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      owners = sandboxProcesses().map((p) => p.uid);
    }
    const result = await pending;
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, stderr: '' });
    expect(owners.length).toBeGreaterThan(0);
    expect(new Set(owners)).toEqual(new Set([process.getuid?.() === 0 ? '65534' : String(process.getuid?.())]));
    expect(result.stdout.trim()).toBe(`${process.getuid?.() === 0 ? 65534 : process.getuid?.()} ['0000000000000000']`);
  });

  it('has no network: not even the host’s loopback services', async () => {
    const result = await runSandboxed(`import urllib.request\nurllib.request.urlopen("${url}", timeout=2).read()\nprint("LEAKED")\n`, limits);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).not.toContain('LEAKED');
    expect(result.stderr).toMatch(/Connection refused|Network is unreachable/);
    expect(hits).toBe(0);
  });

  it('cannot write outside its folder, nor fill its folder past its size', async () => {
    const names = [path.join(os.tmpdir(), `escape-${unique()}`), `/root/escape-${unique()}`, `/dev/shm/escape-${unique()}`, `/usr/escape-${unique()}`, `/escape-${unique()}`];
    const program = names.map((n) => `try:\n    open(${JSON.stringify(n)}, "w").write("x")\n    print("WROTE ${n}")\nexcept OSError as e:\n    print("denied", e.errno)\n`).join('') +
      'import os\ntry:\n    for i in range(20):\n        open(f"f{i}", "wb").write(b"x" * 1000000)\n    print("FILLED")\nexcept OSError as e:\n    print("full", e.errno)\n';
    const result = await runSandboxed(program, limits);
    expect(result.stdout).not.toMatch(/WROTE|FILLED/);
    expect(result.stdout.match(/denied/g)).toHaveLength(names.length);
    expect(result.stdout).toMatch(/full 28/); // ENOSPC: the work dir is an 8 MiB tmpfs
    for (const n of names) expect(existsSync(n)).toBe(false);
  });

  it('contains a fork bomb and leaves no process behind', async () => {
    const started = Date.now();
    const result = await runSandboxed(`import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n`, limits);
    expect(result.exitCode === 0).toBe(false);
    expect(Date.now() - started).toBeLessThan(limits.wallMs + 2000);
    expect(sandboxProcesses()).toEqual([]);
  });

  it('bounds memory, file size, CPU time and wall-clock time', async () => {
    const memory = await runSandboxed('x = bytearray(1024 * 1024 * 1024)\nprint("ALLOCATED")\n', limits);
    expect(memory.stdout).not.toContain('ALLOCATED');
    expect(memory.stderr).toMatch(/MemoryError/);
    const big = await runSandboxed('open("big", "wb").write(b"x" * 2000000)\nprint("WRITTEN")\n', limits);
    expect(big.stdout).not.toContain('WRITTEN');
    expect(big.stderr).toMatch(/File too large/);
    let started = Date.now();
    const spin = await runSandboxed('while True:\n    pass\n', limits);
    // SIGXCPU at 3 s of CPU (exit 128 + 9), or the wall clock on a machine too busy to give it 3 s in 8.
    expect(spin.exitCode === 128 + 9 || spin.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(limits.wallMs + 2000);
    started = Date.now();
    const sleeper = await runSandboxed('import time\ntime.sleep(60)\n', { ...limits, wallMs: 1500 });
    expect(sleeper.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

const ADD = { prompt: 'def add(a, b):\n    """Sum of a and b."""\n', test: 'def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n', entryPoint: 'add' };
const verdict = async (completion: string) => (await runCodeTest({ ...ADD, completion }, limits)).passed;

describe('code task verdicts: a pass is the checker writing its nonce after check() returned', () => {
  it('passes a correct solution, with or without helpers of its own, and fails a wrong one', async () => {
    expect(await verdict('    return a + b\n')).toBe(true);
    expect(await verdict('    return plus(a, b)\n\ndef plus(x, y):\n    return sum((x, y))\n')).toBe(true);
    // What the hostile cases below are refused is not what makes them fail: in bounds, the same things pass.
    expect(await verdict('    import os\n    open("scratch.txt", "w").write("x" * 1000)\n    if os.fork() == 0:\n        os._exit(0)\n    os.wait()\n    return len(bytearray(1 << 24)) * 0 + a + b\n')).toBe(true);
    expect(await verdict('    return a - b\n')).toBe(false);
    expect(await verdict('    return a +\n')).toBe(false); // does not compile
  });

  it('runs humaneval-style tests that use the prompt’s helpers and pass plain data of every kind', async () => {
    const prompt = 'def shift(s: str) -> str:\n    return "".join(chr(ord(c) + 1) for c in s)\n\n\ndef unshift(s: str):\n    """Undo shift; also return some data."""\n';
    const test = [
      'def check(candidate):',
      '    assert candidate(shift("abc"))[0] == "abc"',
      '    assert candidate("")[1:] == (None, 1.5, {"a": (1, 2)}, {1, frozenset([2])}, b"x", 2 ** 100, float("inf"), 1j)',
      '    try:',
      '        candidate(None)',
      '        assert False',
      '    except TypeError:',
      '        pass',
    ].join('\n') + '\n';
    const completion = '    return ("".join(chr(ord(c) - 1) for c in s), None, 1.5, {"a": (1, 2)}, {1, frozenset([2])}, b"x", 2 ** 100, float("inf"), 1j)\n';
    expect((await runCodeTest({ prompt, completion, test, entryPoint: 'unshift' }, limits)).passed).toBe(true);
    expect((await runCodeTest({ prompt, completion: '    return (s,)\n', test, entryPoint: 'unshift' }, limits)).passed).toBe(false);
  });

  it.each([
    ['os._exit(0)', '    import os\n    os._exit(0)\n'],
    ['sys.exit(0)', '    import sys\n    sys.exit(0)\n'],
    ['raise SystemExit(0)', '    raise SystemExit(0)\n'],
    ['os._exit(0) while loading, after a correct body', '    return a + b\nimport os\nos._exit(0)\n'],
    ['killing its parent', '    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n'],
    ['killing every process it may', '    import os\n    os.kill(-1, 9)\n'],
    ['an answer equal to everything', '    class Yes(int):\n        def __eq__(self, other):\n            return True\n    return Yes()\n'],
    ['a fork bomb', '    import os\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n'],
    ['a memory hog', '    x = bytearray(1 << 30)\n    return a + b\n'],
    ['an endless loop', '    while True:\n        pass\n'],
    ['writing outside its folder', `    open(${JSON.stringify(path.join(os.tmpdir(), `solution-${unique()}`))}, "w").write("x")\n    return a + b\n`],
  ])('fails a solution that tries %s', async (_name, completion) => {
    const started = Date.now();
    expect(await verdict(completion)).toBe(false);
    expect(Date.now() - started).toBeLessThan(limits.wallMs + 2000);
    expect(sandboxProcesses()).toEqual([]);
  });

  it('fails a solution that needs the network, which never reaches the host', async () => {
    expect(await verdict(`    import urllib.request\n    return int(urllib.request.urlopen(${JSON.stringify(url)}, timeout=2).read()) + a + b - 5\n`)).toBe(false);
    expect(hits).toBe(0);
  });

  it('gives the solution nothing to forge the verdict with: no test, no nonce, no verdict pipe', async () => {
    const probe = [
      '    import json, os',
      '    seen = {"sandbox": sorted(os.listdir("/sandbox"))}',
      '    for f in ("fd/3", "fd/4", "mem", "environ"):',
      '        try:',
      '            open("/proc/%d/%s" % (os.getppid(), f), "rb").read(1)',
      '            seen[f] = "READ"',
      '        except OSError as e:',
      '            seen[f] = e.errno',
      '    for fd in (3, 4):',
      '        try:',
      '            os.write(fd, b"started\\n")',
      '            seen[fd] = "WROTE"',
      '        except OSError as e:',
      '            seen[fd] = e.errno',
      '    print(json.dumps(seen), flush=True)',
      '    os._exit(0)',
    ].join('\n') + '\n';
    const { passed, result } = await runCodeTest({ ...ADD, completion: probe }, limits);
    expect(passed).toBe(false);
    // EACCES for the undumpable checker's /proc files, EBADF for fds it never inherited; the test came on a pipe.
    expect(JSON.parse(result.stdout.trim().split('\n')[0])).toEqual({
      sandbox: ['checker.py', 'prompt.py', 'runner.py', 'solution.py'], 'fd/3': 13, 'fd/4': 13, mem: 13, environ: 13, 3: 9, 4: 9,
    });
  });

  it('scores the same when the worker itself is not root (bwrap started directly)', () => {
    const script = `require(${JSON.stringify(path.resolve('src/evaluation/code-verdict.ts'))}).runCodeTest(${JSON.stringify({ ...ADD, completion: '    return a + b\n' })})` +
      '.then((v) => { process.stdout.write(String(v.passed)); }, (e) => { process.stdout.write(String(e)); });';
    const node = [process.execPath, '-r', path.resolve('test/support/ts-register.js'), '-e', script];
    const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...node] : node;
    const run = spawnSync(asNobody[0], asNobody.slice(1), { encoding: 'utf8', timeout: 60_000 });
    expect([run.stdout, run.stderr]).toEqual(['true', '']);
  });
});

describe('code tasks where no sandbox can start: refused up front, never scored', () => {
  const suite = validateSuite({ name: 's', tasks: [
    { name: 'capitals', kind: EvalTaskKind.EXACT_MATCH, dataset: 'capitals.jsonl' },
    { name: 'humaneval', kind: EvalTaskKind.CODE, dataset: 'humaneval.jsonl' },
  ] });
  const refusal = (settings: SandboxSettings) => requireCodeSandbox(suite, settings).then(() => null, (error: unknown) => error as CodeSandboxUnavailableError);
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-nsdeny-'));
    // A bwrap that runs where creating user namespaces is denied, as under Docker's default seccomp profile:
    // its own user namespace with user.max_user_namespaces = 0 (the host's setting is untouched).
    await writeFile(path.join(dir, 'bwrap'), '#!/bin/sh\nexec unshare --user --map-root-user sh -c \'echo 0 > /proc/sys/user/max_user_namespaces && exec bwrap "$@"\' sh "$@"\n');
    await chmod(path.join(dir, 'bwrap'), 0o755);
    await chmod(dir, 0o755); // the sandbox is started as nobody when the tests run as root
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses a suite with CODE tasks when bwrap is not installed, naming the task and what to install', async () => {
    const settings = { bwrap: `/nonexistent/bwrap-${unique()}`, python: '/usr/bin/python3' };
    const error = await refusal(settings);
    expect(error).toBeInstanceOf(CodeSandboxUnavailableError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'suite.tasks[1].kind', reason: 'CODE_SANDBOX_UNAVAILABLE' } });
    expect(error?.message).toMatch(/^suite\.tasks\[1\]\.kind: CODE tasks cannot run here: the code sandbox does not start \(.*(No such file or directory|ENOENT).*\); .*apt-get install bubblewrap/);
    // A single run there is an error, not a failing verdict that would be stored as a score of 0.
    await expect(runCodeTest({ ...ADD, completion: '    return a + b\n' }, limits, settings)).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(runCodeTest({ ...ADD, completion: '    return a + b\n' }, limits, { bwrap: 'bwrap', python: '/nonexistent/python3' })).rejects.toThrow(/interpreter .* does not exist/);
  });

  it('refuses it where user namespaces are denied, with bwrap’s own reason and the settings that allow them', async () => {
    const error = await refusal({ bwrap: path.join(dir, 'bwrap'), python: '/usr/bin/python3' });
    expect(error).toBeInstanceOf(CodeSandboxUnavailableError);
    expect(error?.message).toMatch(/bwrap: Creating new namespace failed: .*max_\*_namespaces exceeded.*user\.max_user_namespaces.*seccomp=unconfined.*Kubernetes/);
  });

  it('lets them run where the sandbox starts, probing once per settings', async () => {
    const settings = { bwrap: 'bwrap', python: '/usr/bin/python3' };
    expect(await probeCodeSandbox(settings)).toEqual({ ok: true });
    expect(probeCodeSandbox(settings)).toBe(probeCodeSandbox(settings));
    await expect(requireCodeSandbox(suite, settings)).resolves.toBeUndefined();
  });
});
