export enum SourceType {
  HUGGING_FACE = 'HUGGING_FACE',
  URL = 'URL',
  DISK = 'DISK',
  CLOUD = 'CLOUD',
  CUSTOM = 'CUSTOM',
}

export enum Modality {
  TEXT = 'TEXT',
  IMAGE = 'IMAGE',
  AUDIO = 'AUDIO',
  VIDEO = 'VIDEO',
}

/** The serving endpoints a model can back (OpenAI-style API surface). */
export enum EndpointType {
  CHAT = 'CHAT',
  COMPLETION = 'COMPLETION',
  EMBEDDING = 'EMBEDDING',
  RERANK = 'RERANK',
  IMAGE_GENERATION = 'IMAGE_GENERATION',
  TRANSCRIPTION = 'TRANSCRIPTION',
  SPEECH = 'SPEECH',
}

/**
 * Who produced a benchmark or evaluation result. Only MEASURED is evidence by default: RECORDED was typed in by a
 * person (who is kept in `recorded_by`), REPORTED was read from an upstream model card.
 */
export enum Provenance {
  /** By our own benchmark or evaluation run (the row carries its operation). */
  MEASURED = 'MEASURED',
  /** Typed in by hand through recordBenchmark / recordEvaluation. */
  RECORDED = 'RECORDED',
  /** Read from a model card's model-index. */
  REPORTED = 'REPORTED',
}

export function isProvenance(value: unknown): value is Provenance {
  return typeof value === 'string' && (Object.values(Provenance) as string[]).includes(value);
}
