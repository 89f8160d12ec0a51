import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Role } from '../../src/domain/auth/roles';
import { llamaConfig, modelCard, safetensors, tinyLlamaTensors } from '../fixtures/model-files';
import { createVersion, registerModel } from './catalog-fixtures';
import { waitForOperation } from './onboarding-fixtures';
import type { TestApp } from './test-app';

export interface DraftVersion {
  modelId: string;
  modelName: string;
  versionId: string;
}

/** A model with one DRAFT version (createVersion: a catalog entry without files). */
export async function draftVersion(t: TestApp, version = '1.0.0', modelId?: string): Promise<DraftVersion> {
  const model = modelId ? { id: modelId, name: '' } : await registerModel(t, { sourceType: 'CUSTOM' });
  const created = await createVersion(t, model.id, version);
  return { modelId: model.id, modelName: model.name, versionId: created.id };
}

/** A small real model (Llama config, safetensors weights, model card, a nested tokenizer file). */
export function modelFiles(): Map<string, Buffer> {
  return new Map([
    ['config.json', llamaConfig()],
    ['model.safetensors', safetensors(tinyLlamaTensors())],
    ['README.md', modelCard({ license: 'apache-2.0' })],
    ['tokenizer/tokenizer_config.json', Buffer.from(JSON.stringify({ model_max_length: 2048 }))],
  ]);
}

export async function writeFolder(dir: string, files: Map<string, Buffer>): Promise<void> {
  for (const [file, bytes] of files) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), bytes);
  }
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function filesUrl(t: TestApp): string {
  return `http://127.0.0.1:${t.app.port}/files`;
}

/** PUT one file (one request, not resumable), as `curl -T` does. */
export async function putFile(t: TestApp, versionId: string, file: string, bytes: Buffer, token?: string): Promise<Response> {
  return fetch(`${filesUrl(t)}/versions/${versionId}/upload/${file.split('/').map(encodeURIComponent).join('/')}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token ?? (await t.token(Role.EDITOR))}` },
    body: bytes,
  });
}

/** Uploads every file, submits the version and waits for its import to settle; returns the operation. */
export async function uploadAndSubmit(t: TestApp, versionId: string, files: Map<string, Buffer>): Promise<Record<string, unknown>> {
  for (const [file, bytes] of files) {
    const res = await putFile(t, versionId, file, bytes);
    if (res.status !== 201) throw new Error(`upload of ${file} answered ${res.status}: ${await res.text()}`);
  }
  const submitted = await t.gql(`mutation($v: ID!) { submitVersion(versionId: $v) { id status } }`, { v: versionId });
  if (submitted.errors) throw new Error(`submitVersion failed: ${JSON.stringify(submitted.errors)}`);
  return waitForOperation(t, submitted.data!.submitVersion.id);
}
