/**
 * Bounds on everything a hostile file could make the scanners do. Exceeding one is a finding
 * (`unscannable-limit`), never a silent stop: the file is then not clean.
 */
export interface ScanLimits {
  /** Opcodes per pickle. A large state dict (10k tensors) needs about half a million. */
  maxOpcodes: number;
  /** Memo entries per pickle (each holds a small symbolic value: this bounds memory, about 100 MB at most). */
  maxMemoEntries: number;
  /** Items on the symbolic stack, marks included. */
  maxStackDepth: number;
  /** Leaf objects a pickle's object graph may expand to, per byte of pickle read (shared references count each time). */
  maxExpansionRatio: number;
  /** Pickles inside strings/bytes inside pickles (or npy inside zip inside …). */
  maxNestingDepth: number;
  /** Pickles stacked one after another in one stream. */
  maxPicklesPerStream: number;
  /** Strings and bytes up to this size are read into memory to look for a pickle inside; longer ones are streamed. */
  maxInMemoryPayload: number;
  maxZipEntries: number;
  /** Uncompressed ÷ compressed size of a deflated member above which it is treated as a bomb. */
  maxZipRatio: number;
  /** Sum of declared uncompressed sizes of all members. */
  maxUncompressedBytes: number;
  /** Headers read into memory whole: GGUF header, saved_model.pb, Keras config.json, tokenizer_config.json. */
  maxHeaderBytes: number;
  /** Findings kept per file; the rest are counted in one closing finding. */
  maxFindings: number;
}

export const DEFAULT_SCAN_LIMITS: Readonly<ScanLimits> = Object.freeze({
  maxOpcodes: 50_000_000,
  maxMemoEntries: 1_000_000,
  maxStackDepth: 1_000_000,
  maxExpansionRatio: 1_000,
  maxNestingDepth: 3,
  maxPicklesPerStream: 64,
  maxInMemoryPayload: 4 * 1024 * 1024,
  maxZipEntries: 200_000,
  maxZipRatio: 100,
  maxUncompressedBytes: 256 * 1024 ** 3,
  maxHeaderBytes: 256 * 1024 * 1024,
  maxFindings: 200,
});

export function withDefaults(limits: Partial<ScanLimits> = {}): ScanLimits {
  return { ...DEFAULT_SCAN_LIMITS, ...limits };
}
