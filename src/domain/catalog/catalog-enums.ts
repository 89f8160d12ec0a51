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
