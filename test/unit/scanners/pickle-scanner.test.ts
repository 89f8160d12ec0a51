import { callPickle, ops, protocol0Call } from '../../fixtures/pickle-ops';
import { pythonPickle } from '../../fixtures/python-pickles';
import { tinyStateDict } from '../../fixtures/torch-checkpoint';
import { globals, rules, scanDir } from './scan-helpers';

const files = scanDir();
afterAll(() => files.cleanup());

describe('pickle scanner: what real checkpoints contain passes', () => {
  test.each([2, 3, 4, 5])('a torch state dict (persistent ids, _rebuild_tensor_v2, OrderedDict) at protocol %i is CLEAN', async (protocol) => {
    const report = await files.scan('sd.pkl', pythonPickle({ kind: 'torch-state', tensors: tinyStateDict(), protocol }));
    expect(report).toMatchObject({ format: 'pickle', verdict: 'CLEAN', findings: [] });
  });

  test('plain containers, bytes, sets and numbers at every protocol are CLEAN', async () => {
    for (const protocol of [0, 1, 2, 3, 4, 5]) {
      const report = await files.scan(`v${protocol}.pkl`, pythonPickle({ kind: 'value', value: { a: [1, 2.5, 'x', null, true], b: { c: 'd'.repeat(300) } }, protocol }));
      expect(report.verdict).toBe('CLEAN');
    }
  });

  test('a numpy object array of plain values is CLEAN', async () => {
    expect((await files.scan('arr.pkl', pythonPickle({ kind: 'numpy-object' }))).verdict).toBe('CLEAN');
  });
});

describe('pickle scanner: imports', () => {
  test.each([0, 1, 2, 3, 4, 5])('os.system at protocol %i is CRITICAL with its offset', async (protocol) => {
    const report = await files.scan('evil.pkl', pythonPickle({ kind: 'call', target: 'os.system', args: ['echo pwned'], protocol }));
    expect(report.verdict).toBe('FINDINGS');
    expect(report.findings[0]).toMatchObject({ scanner: 'pickle', severity: 'CRITICAL', rule: 'pickle-dangerous-import', global: 'posix.system' });
    expect(report.findings[0]!.offset).toEqual(expect.any(Number));
  });

  test.each([
    ['builtins', 'eval'], ['builtins', 'exec'], ['builtins', 'getattr'], ['__builtin__', 'eval'], ['subprocess', 'Popen'],
    ['runpy', '_run_code'], ['torch.hub', 'load'], ['torch.jit', 'load'], ['operator', 'attrgetter'], ['functools', 'partial'],
    ['numpy.f2py', 'compile'], ['importlib', 'import_module'], ['pip._internal', 'main'], ['webbrowser', 'open'],
  ])('%s.%s is CRITICAL', async (module, name) => {
    const report = await files.scan('g.pkl', callPickle(module, name, 'x'));
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: 'CRITICAL', rule: 'pickle-dangerous-import' }));
  });

  test('an import outside the allowlist is MEDIUM (a whole pickled nn.Module)', async () => {
    const report = await files.scan('model.pkl', pythonPickle({ kind: 'whole-model' }));
    expect(report.findings).toEqual([expect.objectContaining({ severity: 'MEDIUM', rule: 'pickle-suspicious-import', global: 'torch.nn.modules.linear.Linear' })]);
  });

  test('dunder attribute walks in a protocol 4 name are CRITICAL', async () => {
    const report = await files.scan('t.pkl', callPickle('collections', 'OrderedDict.__init__.__globals__', 'x'));
    expect(rules(report)).toContain('pickle-attribute-traversal');
  });

  test('INST and OBJ imports are seen like GLOBAL', async () => {
    const inst = await files.scan('inst.pkl', Buffer.from("(S'echo'\nios\nsystem\n.", 'latin1'));
    expect(globals(inst)).toContain('os.system');
    const obj = await files.scan('obj.pkl', ops().proto(2).mark().global('subprocess', 'call').string0("'ls'").obj().stop().bytes());
    expect(globals(obj)).toContain('subprocess.call');
  });

  test('an EXT1 import through the copyreg registry is HIGH', async () => {
    const report = await files.scan('ext.pkl', ops().proto(2).ext1(1).emptyTuple().reduce().stop().bytes());
    expect(rules(report)).toContain('pickle-extension-import');
  });
});

describe('pickle scanner: symbolic stack and memo', () => {
  test('STACK_GLOBAL operands fetched from the memo are resolved', async () => {
    // 'os' and 'system' memoised early under a harmless-looking dict, fetched back by BINGET.
    const bytes = ops().proto(4).emptyDict().unicode('os').memoize().unicode('system').memoize().pop().pop().pop()
      .binget(0).binget(1).stackGlobal().unicode('id').tuple1().reduce().stop().bytes();
    const report = await files.scan('memo.pkl', bytes);
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: 'CRITICAL', global: 'os.system' }));
  });

  test('MEMOIZE after an explicit PUT writes where len(memo) says, as CPython does (memo confusion)', async () => {
    // PUT 1 'torch._utils'; MEMOIZE stores 'os' at len(memo) = 1, overwriting it; GET 1 is then 'os'.
    const bytes = ops().proto(4).unicode('torch._utils').binput(1).pop().unicode('os').memoize().pop()
      .binget(1).unicode('system').stackGlobal().unicode('id').tuple1().reduce().stop().bytes();
    const report = await files.scan('confused.pkl', bytes);
    expect(globals(report)).toContain('os.system');
    expect(globals(report)).not.toContain('torch._utils.system');
  });

  test('STACK_GLOBAL on values that are not literal strings is a CRITICAL dynamic import', async () => {
    const bytes = ops().proto(4).global('builtins', 'str').emptyTuple().reduce().unicode('system').stackGlobal().stop().bytes();
    expect(rules(await files.scan('dyn.pkl', bytes))).toContain('pickle-unresolved-global');
  });

  test('calling the result of a call (not an imported global) is HIGH', async () => {
    const bytes = ops().proto(2).global('collections', 'OrderedDict').emptyTuple().reduce().emptyTuple().reduce().stop().bytes();
    expect(rules(await files.scan('indirect.pkl', bytes))).toContain('pickle-indirect-call');
  });

  test('BUILD on an imported class itself (rewriting a module attribute) is HIGH', async () => {
    const bytes = ops().proto(2).global('collections', 'OrderedDict').emptyDict().build().stop().bytes();
    expect(rules(await files.scan('build.pkl', bytes))).toContain('pickle-build-on-global');
  });

  test('GET of an entry never written is unscannable, not clean', async () => {
    const report = await files.scan('get.pkl', ops().proto(2).binget(7).stop().bytes());
    expect(report.verdict).toBe('UNSCANNABLE');
    expect(rules(report)).toContain('unscannable-malformed');
  });
});

describe('pickle scanner: streams of pickles and nested pickles', () => {
  test('a dangerous second pickle after a harmless first one is found', async () => {
    const bytes = Buffer.concat([pythonPickle({ kind: 'value', value: { ok: 1 } }), callPickle('os', 'system', 'id')]);
    expect(globals(await files.scan('two.pkl', bytes))).toContain('os.system');
  });

  test('bytes after the last pickle that are not a pickle make the file unscannable', async () => {
    const bytes = Buffer.concat([pythonPickle({ kind: 'value', value: [1] }), Buffer.from('\xff\xfe garbage', 'latin1')]);
    expect((await files.scan('trail.pkl', bytes)).verdict).toBe('UNSCANNABLE');
  });

  test.each([3, 4, 5])('a pickle inside a bytes value (protocol %i) is found with its own findings', async (protocol) => {
    const report = await files.scan('nested.pkl', pythonPickle({ kind: 'bytes-holding', protocol, innerProtocol: 2 }));
    expect(rules(report)).toEqual(expect.arrayContaining(['pickle-nested', 'pickle-dangerous-import']));
  });

  test('_codecs.encode rebuilding bytes that are a pickle (protocol 2 bytes) is CRITICAL', async () => {
    const report = await files.scan('codecs.pkl', pythonPickle({ kind: 'bytes-holding', protocol: 2, innerProtocol: 2 }));
    expect(rules(report)).toEqual(expect.arrayContaining(['pickle-codecs-inner-pickle', 'pickle-nested', 'pickle-dangerous-import']));
  });

  test('a protocol 0 pickle inside a protocol 0 STRING is found', async () => {
    const inner = protocol0Call('os', 'system', 'id').toString('latin1').replace(/\n/g, '\\n').replace(/'/g, "\\'");
    const report = await files.scan('s0.pkl', ops().string0(`'${inner}'`).stop().bytes());
    expect(globals(report)).toContain('os.system');
  });

  test('plain bytes that merely start with an opcode byte are not taken for a pickle', async () => {
    const report = await files.scan('b.pkl', pythonPickle({ kind: 'value', value: { s: 'cuda:0', t: '(not a pickle', u: 'N' }, protocol: 4 }));
    expect(report.verdict).toBe('CLEAN');
  });
});

describe('pickle scanner: fails closed', () => {
  test('a truncated pickle is unscannable, and an import seen before the cut is still reported', async () => {
    const full = callPickle('os', 'system', 'id');
    const report = await files.scan('cut.pkl', full.subarray(0, full.length - 3));
    expect(report.verdict).toBe('UNSCANNABLE');
    expect(rules(report)).toEqual(expect.arrayContaining(['unscannable-truncated', 'pickle-dangerous-import']));
  });

  test('an unknown opcode or protocol is unscannable', async () => {
    expect((await files.scan('op.pkl', Buffer.from([0x80, 0x02, 0xff, 0x2e]))).verdict).toBe('UNSCANNABLE');
    expect((await files.scan('proto.pkl', Buffer.from([0x80, 0x02, 0x80, 0x09, 0x4e, 0x2e]))).verdict).toBe('UNSCANNABLE');
  });

  test('opcode, memo and stack limits', async () => {
    const many = ops().proto(2).emptyList();
    for (let i = 0; i < 200; i++) many.int(1).append();
    const opcodes = await files.scan('ops.pkl', many.stop().bytes(), { maxOpcodes: 100 });
    expect(opcodes.findings).toContainEqual(expect.objectContaining({ rule: 'unscannable-limit', message: expect.stringContaining('opcodes') }));
    const memo = ops().proto(2).none();
    for (let i = 0; i < 50; i++) memo.longBinput(i);
    expect((await files.scan('memo.pkl', memo.stop().bytes(), { maxMemoEntries: 10 })).findings[0]!.message).toMatch(/memo larger/);
    const deep = ops().proto(2);
    for (let i = 0; i < 100; i++) deep.mark();
    expect((await files.scan('deep.pkl', deep.none().stop().bytes(), { maxStackDepth: 50 })).findings[0]!.message).toMatch(/stack deeper/);
  });

  test('a "billion laughs" graph of shared references is over the expansion limit', async () => {
    // l0 = [1]*10; l1 = [l0]*10; … each level references the previous ten times: 10^12 leaves from a few hundred bytes.
    const b = ops().proto(2).emptyList().binput(0).mark();
    for (let i = 0; i < 10; i++) b.int(1);
    b.appends();
    for (let level = 1; level <= 12; level++) {
      b.emptyList().binput(level).mark();
      for (let i = 0; i < 10; i++) b.binget(level - 1);
      b.appends();
    }
    const report = await files.scan('laughs.pkl', b.stop().bytes());
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'unscannable-limit', message: expect.stringContaining('expands') }));
  });

  test('a long harmless prefix cannot push an import past the probe of a file with no pickle name', async () => {
    const padding = ops();
    for (let i = 0; i < 2000; i++) padding.none();
    const bytes = Buffer.concat([padding.bytes(), protocol0Call('os', 'system', 'id')]);
    const report = await files.scan('notes.txt', bytes, { maxStackDepth: 1000 });
    expect(report.verdict).toBe('UNSCANNABLE');
    expect(rules(report)).toContain('unscannable-limit');
  });

  test('a pickle nested deeper than the limit is unscannable', async () => {
    let bytes = callPickle('os', 'system', 'id');
    for (let i = 0; i < 4; i++) bytes = ops().proto(4).binbytes(bytes).stop().bytes();
    expect(rules(await files.scan('deepnest.pkl', bytes))).toContain('unscannable-limit');
  });
});
