import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CHATML_TEMPLATE, HOSTILE_TEMPLATE } from '../../fixtures/gguf-files';
import { callPickle, protocol0Call } from '../../fixtures/pickle-ops';
import { zipFile } from '../../fixtures/zip-writer';
import { rules, scanDir } from './scan-helpers';

const files = scanDir();
afterAll(() => files.cleanup());

const layer = (className: string, module = 'keras.layers', config: object = {}) => ({ module, class_name: className, config, registered_name: null });
const kerasConfig = (layers: object[]) => Buffer.from(JSON.stringify({ module: 'keras', class_name: 'Sequential', config: { name: 's', layers } }));
const keras = (config: Buffer) =>
  zipFile([{ name: 'metadata.json', data: Buffer.from('{"keras_version": "3.6.0"}') }, { name: 'config.json', data: config, method: 8 }, { name: 'model.weights.h5', data: Buffer.from('\x89HDF\r\n\x1a\n', 'latin1') }]);

describe('Keras', () => {
  test('a .keras model of built-in layers is CLEAN', async () => {
    expect(await files.scan('m.keras', keras(kerasConfig([layer('Dense'), layer('Dropout')])))).toMatchObject({ format: 'keras', verdict: 'CLEAN' });
  });

  test('a Lambda layer is HIGH; a custom module MEDIUM; a dangerous module CRITICAL', async () => {
    const report = await files.scan('m.keras', keras(kerasConfig([layer('Lambda', 'keras.layers', { function: ['4wEAAAAA', null, null] }), layer('MyLayer', 'my_package.layers'), layer('system', 'os')])));
    expect(report.findings).toEqual(expect.arrayContaining([
      expect.objectContaining({ rule: 'keras-lambda', severity: 'HIGH' }),
      expect.objectContaining({ rule: 'keras-custom-module', severity: 'MEDIUM', global: 'my_package.layers.MyLayer' }),
      expect.objectContaining({ rule: 'keras-dangerous-module', severity: 'CRITICAL', global: 'os.system' }),
    ]));
  });

  test('an .h5 model config with a Lambda layer is found by content; one without is CLEAN', async () => {
    const h5 = (json: string) => Buffer.concat([Buffer.from('\x89HDF\r\n\x1a\n', 'latin1'), Buffer.alloc(2000), Buffer.from(json), Buffer.alloc(2000)]);
    const config = '{"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "config": {"function": ["4wEAAAAA"]}}]}}';
    expect(rules(await files.scan('m.h5', h5(config)))).toContain('keras-lambda');
    expect((await files.scan('w.h5', h5('{"class_name": "Dense"}'))).verdict).toBe('CLEAN');
    expect((await files.scan('bad.h5', Buffer.from('not hdf5 at all'))).verdict).toBe('UNSCANNABLE');
  });
});

/** A protobuf length-delimited field. */
function field(number: number, body: Buffer | string): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const varint = (n: number) => {
    const out: number[] = [];
    do {
      out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    return Buffer.from(out);
  };
  return Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
}

function savedModel(graphOps: string[], functionOps: string[] = [], functionName = '__inference_call_1'): Buffer {
  const nodes = graphOps.map((op, i) => field(1, Buffer.concat([field(1, `n${i}`), field(2, op)])));
  const fn = field(1, Buffer.concat([field(1, field(1, functionName)), ...functionOps.map((op, i) => field(3, Buffer.concat([field(1, `f${i}`), field(2, op)])))]));
  const graph = Buffer.concat([...nodes, field(2, fn)]);
  return Buffer.concat([Buffer.from([0x08, 0x01]), field(2, field(2, graph))]);
}

describe('TensorFlow SavedModel', () => {
  test('inference and saver ops, and calls to the graph\'s own functions, are CLEAN', async () => {
    const report = await files.scan('saved_model.pb', savedModel(['Placeholder', 'StatefulPartitionedCall', 'SaveV2', 'RestoreV2', '__inference_call_1'], ['MatMul', 'BiasAdd', 'Relu']));
    expect(report).toMatchObject({ format: 'saved-model', verdict: 'CLEAN' });
  });

  test('file and Python ops are HIGH; ops outside the list MEDIUM for review', async () => {
    const report = await files.scan('saved_model.pb', savedModel(['Placeholder'], ['ReadFile', 'WriteFile', 'EagerPyFunc', 'MyCustomOp']));
    expect(report.findings).toEqual(expect.arrayContaining([
      expect.objectContaining({ rule: 'tf-dangerous-op', global: 'ReadFile' }),
      expect.objectContaining({ rule: 'tf-dangerous-op', global: 'EagerPyFunc' }),
      expect.objectContaining({ rule: 'tf-op-review', global: 'MyCustomOp', severity: 'MEDIUM' }),
    ]));
  });

  test('a malformed protobuf is unscannable', async () => {
    expect((await files.scan('saved_model.pb', Buffer.from([0x12, 0x7f, 0x01]))).verdict).toBe('UNSCANNABLE');
  });
});

describe('tokenizer chat templates, other files, detection', () => {
  test('tokenizer_config.json templates are checked', async () => {
    expect((await files.scan('tokenizer_config.json', Buffer.from(JSON.stringify({ chat_template: CHATML_TEMPLATE })))).verdict).toBe('CLEAN');
    const named = { chat_template: [{ name: 'default', template: CHATML_TEMPLATE }, { name: 'rag', template: HOSTILE_TEMPLATE }] };
    expect(rules(await files.scan('tokenizer_config.json', Buffer.from(JSON.stringify(named))))).toContain('chat-template-dunder');
  });

  test('files of no model format are CLEAN, unless their bytes are a pickle whatever the name', async () => {
    expect(await files.scan('README.md', Buffer.from('# Model\n\nlicense: mit\n'))).toMatchObject({ format: 'other', verdict: 'CLEAN' });
    expect(await files.scan('config.json', Buffer.from('{"model_type": "llama"}'))).toMatchObject({ format: 'other', verdict: 'CLEAN' });
    expect(await files.scan('notes.txt', protocol0Call('os', 'system', 'id'))).toMatchObject({ format: 'pickle', verdict: 'FINDINGS' });
    expect(await files.scan('weights.dat', callPickle('os', 'system', 'id'))).toMatchObject({ format: 'pickle', verdict: 'FINDINGS' });
  });

  test('Python source (trust_remote_code) is a LOW finding', async () => {
    expect(rules(await files.scan('modeling_x.py', Buffer.from('import torch\n')))).toEqual(['python-remote-code']);
  });

  test('an empty .pkl is unscannable; an empty README is CLEAN', async () => {
    expect((await files.scan('e.pkl', Buffer.alloc(0))).verdict).toBe('UNSCANNABLE');
    expect((await files.scan('README.md', Buffer.alloc(0))).verdict).toBe('CLEAN');
  });
});

describe('scan CLI', () => {
  const run = promisify(execFile);
  const root = resolve(__dirname, '../../..');
  const cli = (...args: string[]) =>
    run(process.execPath, ['-r', join(root, 'test/support/ts-register.js'), join(root, 'src/cli/scan.ts'), ...args], { cwd: root }).then(
      ({ stdout }) => ({ code: 0, out: JSON.parse(stdout) as { summary: Record<string, unknown> } }),
      (error: { code: number; stdout: string }) => ({ code: error.code, out: JSON.parse(error.stdout || '{}') as { summary: Record<string, unknown> } }),
    );

  test('exit codes: 0 clean, 1 findings, 2 unscannable or unreadable; folders are walked', async () => {
    const dir = files.path('repo');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'README.md'), '# hi\n');
    expect((await cli(dir)).code).toBe(0);
    writeFileSync(join(dir, 'sub', 'model.pkl'), callPickle('os', 'system', 'id'));
    const findings = await cli(dir);
    expect(findings.code).toBe(1);
    expect(findings.out.summary).toMatchObject({ files: 2, CLEAN: 1, FINDINGS: 1 });
    writeFileSync(join(dir, 'broken.safetensors'), Buffer.alloc(4));
    expect((await cli(dir)).code).toBe(2);
    expect((await cli(join(dir, 'missing.bin'))).code).toBe(2);
  }, 60_000);
});
