import { isDangerousModulePath } from './pickle-policy';
import { excerpt, type Severity } from './scan-report';

/**
 * Keras model configs (config.json in .keras, the model_config attribute of .h5, keras_metadata.pb): a Lambda
 * layer carries Python code (marshalled bytecode or source) that runs on load when safe_mode is off, and a
 * `module` names what deserialisation imports (the CVE-2025-1550 route), so both are flagged for review.
 */
export interface KerasHit {
  severity: Severity;
  rule: string;
  message: string;
  global?: string;
}

const KERAS_MODULES = /^(keras|tf_keras|tensorflow|keras_hub|keras_nlp|keras_cv)(\.|$)/;
const MAX_NODES = 5_000_000;

export function checkKerasConfig(config: unknown): KerasHit[] {
  const hits: KerasHit[] = [];
  const seen = new Set<string>();
  const hit = (h: KerasHit) => {
    const key = `${h.rule}\u0000${h.global ?? h.message}`;
    if (!seen.has(key)) hits.push(h);
    seen.add(key);
  };
  const stack: unknown[] = [config];
  let visited = 0;
  while (stack.length > 0 && visited++ < MAX_NODES) {
    const node = stack.pop();
    if (Array.isArray(node)) for (const item of node) stack.push(item);
    else if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      const className = Object.hasOwn(record, 'class_name') ? record.class_name : undefined;
      if (className === 'Lambda') hit({ severity: 'HIGH', rule: 'keras-lambda', message: 'Lambda layer: carries Python code that runs when the model is loaded' });
      const module = Object.hasOwn(record, 'module') ? record.module : undefined;
      if (typeof module === 'string') checkModule(module, typeof className === 'string' ? className : '', hit);
      for (const value of Object.values(record)) if (typeof value === 'object' && value !== null) stack.push(value);
    }
  }
  if (stack.length > 0) hit({ severity: 'MEDIUM', rule: 'unscannable-limit', message: `config has more than ${MAX_NODES} nodes` });
  return hits;
}

function checkModule(module: string, className: string, hit: (h: KerasHit) => void): void {
  const global = excerpt(className ? `${module}.${className}` : module, 200);
  if (isDangerousModulePath(module) || isDangerousModulePath(`${module}.${className}`)) {
    hit({ severity: 'CRITICAL', rule: 'keras-dangerous-module', message: `config imports ${global}`, global });
  } else if (!KERAS_MODULES.test(module)) {
    hit({ severity: 'MEDIUM', rule: 'keras-custom-module', message: `config imports custom code from ${global}`, global });
  }
}

/** Lambda/module markers found by content in files whose structure is not parsed (HDF5, keras_metadata.pb). */
export const LAMBDA_MARKER = /"class_name"\s*:\s*"Lambda"/;
export const MODULE_MARKER = /"module"\s*:\s*"([^"\\]{1,200})"\s*,\s*"class_name"\s*:\s*"([^"\\]{0,200})"/g;

export function checkModuleMarker(module: string, className: string): KerasHit[] {
  const hits: KerasHit[] = [];
  checkModule(module, className, (h) => hits.push(h));
  return hits;
}
