import type { Readable } from 'node:stream';
import { NeedMoreBytesError, MalformedArtifactError } from '../domain/artifacts/artifact.errors';
import { ArtifactFormat } from '../domain/artifacts/artifact-format';
import { type GgufSummary, parseGgufHeader } from '../domain/artifacts/gguf-header';
import { type HfConfigSummary, parseHfConfig } from '../domain/artifacts/hf-config';
import { type ModelCardSummary, parseModelCard } from '../domain/artifacts/model-card';
import { parseModelIndex, type ReportedScore } from '../domain/evaluation/model-index';
import { parseSafetensorsHeader, type SafetensorsSummary } from '../domain/artifacts/safetensors-header';
import { summarise, type VerifiedMetadata } from '../domain/artifacts/verified-metadata';
import type { HardwareRequirements } from '../domain/catalog/model-draft';
import { bytesPerParameter } from '../domain/hardware/weight-bytes';
import { estimateMemoryGb, type GpuSpec, recommendHardware } from '../domain/hardware/hardware-estimate';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import type { ArtifactStore } from '../storage/artifact-store';
import type { StoreRegistry } from './store-registry';

export interface Inspection {
  verified: VerifiedMetadata;
  /** Files whose structure is broken; any of these sends the model to NEEDS_ATTENTION. */
  problems: string[];
  requirements: HardwareRequirements | null;
  /** Scores the root model card's `model-index` reports (stored as REPORTED, never as evidence). */
  reported?: ReportedScore[];
}

const MAX_TEXT = 4 * 1024 * 1024;
const FIRST_READ = 1024 * 1024;
const MAX_HEADER_READ = 256 * 1024 * 1024;

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Reads metadata from the stored artifacts themselves: headers only, never whole weight files. */
export class ArtifactInspectionService {
  constructor(
    private readonly stores: StoreRegistry,
    private readonly gpus: readonly GpuSpec[],
  ) {}

  /** The files as stored in the version's store. */
  async inspect(versionId: string, manifest: readonly ManifestEntry[]): Promise<Inspection> {
    const { store } = await this.stores.forVersion(versionId);
    const problems: string[] = [];
    const safetensors: SafetensorsSummary[] = [];
    const gguf: GgufSummary[] = [];
    let config: HfConfigSummary | null = null;
    let card: ModelCardSummary | null = null;
    let reported: ReportedScore[] = [];
    for (const file of manifest) {
      try {
        if (file.format === ArtifactFormat.SAFETENSORS) safetensors.push(await this.header(store, file, parseSafetensorsHeader));
        else if (file.format === ArtifactFormat.GGUF) gguf.push(await this.header(store, file, parseGgufHeader));
        else if (file.path === 'config.json') config = parseHfConfig(file.path, await this.text(store, file));
        else if (file.format === ArtifactFormat.MODEL_CARD && !file.path.includes('/')) {
          const text = await this.text(store, file);
          card = parseModelCard(text);
          reported = parseModelIndex(text);
        }
      } catch (error) {
        if (!(error instanceof MalformedArtifactError)) throw error;
        problems.push(error.message);
      }
    }
    const verified = summarise({ config, safetensors, gguf, card });
    return { verified, problems, requirements: this.estimate(verified), reported };
  }

  private estimate(verified: VerifiedMetadata): HardwareRequirements | null {
    if (!verified.parameterCount) return null;
    const bytes = bytesPerParameter(verified);
    const memoryGb = estimateMemoryGb({
      parameterCount: BigInt(verified.parameterCount),
      bytesPerParameter: bytes,
      contextLength: verified.contextLength,
      numLayers: verified.numLayers,
      numKeyValueHeads: verified.numKeyValueHeads,
      headDim: verified.headDim,
    });
    return recommendHardware(memoryGb, this.gpus);
  }

  private async text(store: ArtifactStore, file: ManifestEntry): Promise<string> {
    if (file.size > MAX_TEXT) throw new MalformedArtifactError(file.path, `is ${file.size} bytes; metadata files stay under ${MAX_TEXT}`);
    return (await collect(await store.read(file.sha256))).toString('utf8');
  }

  /** Reads a growing prefix until the header parser has what it needs. */
  private async header<T>(store: ArtifactStore, file: ManifestEntry, parse: (path: string, prefix: Buffer, size: number) => T): Promise<T> {
    let length = Math.min(FIRST_READ, file.size);
    for (;;) {
      const prefix = await collect(await store.read(file.sha256, 0, length));
      try {
        return parse(file.path, prefix, file.size);
      } catch (error) {
        if (!(error instanceof NeedMoreBytesError) || length >= file.size) throw error;
        if (error.needed > MAX_HEADER_READ) throw new MalformedArtifactError(file.path, `header is larger than ${MAX_HEADER_READ} bytes`);
        length = Math.min(file.size, Math.max(error.needed, length * 2));
      }
    }
  }
}
