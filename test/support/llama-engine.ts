import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';

type NodeLlamaCpp = typeof import('node-llama-cpp');

/** What the smoke test needs installed when the engine cannot be loaded. */
export const ENGINE_INSTALL_HINT =
  'the real-engine smoke test needs node-llama-cpp 3.21.1 with its prebuilt CPU binary (@node-llama-cpp/linux-x64, an optional ' +
  'dependency npm installs on x64 Linux): run `npm ci` (it is a pinned devDependency; never a newer release, whose prebuilt ' +
  'binaries are not served here). It is used as shipped, never compiled.';

/**
 * node-llama-cpp is ESM with top-level await, so `require()` cannot load it, and the CommonJS transpile these files
 * get (ts-register, ts-jest) would turn an `import()` into one. A Function body keeps the real dynamic import.
 */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<NodeLlamaCpp>;

export interface ChatMessage { role: string; content: string }
export type EnginePrompt = { chat: ChatMessage[] } | { text: string };

export interface GenerateOptions { maxTokens: number; temperature: number; seed?: number; signal: AbortSignal }
export interface GeneratedToken { text: string }
export type FinishReason = 'stop' | 'length' | 'cancelled';

/**
 * A llama.cpp model on the CPU with one context of several sequences: requests in flight at once are decoded in
 * the same batches (as a serving engine does); more than that wait for a free sequence.
 */
export class LlamaEngine {
  private readonly free: LlamaContextSequence[] = [];
  private readonly waiting: ((seq: LlamaContextSequence) => void)[] = [];

  private constructor(private readonly lib: NodeLlamaCpp, private readonly llama: Llama, readonly model: LlamaModel, private readonly context: LlamaContext) {
    for (let i = 0; i < context.totalSequences; i += 1) this.free.push(context.getSequence());
  }

  static async load(modelPath: string, options: { sequences: number; threads: number; contextSize: number }): Promise<LlamaEngine> {
    const lib = await importEsm('node-llama-cpp');
    // build 'never': the prebuilt binary or nothing (a compile would download llama.cpp's sources).
    const llama = await lib.getLlama({ build: 'never', gpu: false, skipDownload: true, progressLogs: false, maxThreads: options.threads, logLevel: lib.LlamaLogLevel.warn });
    const model = await llama.loadModel({ modelPath });
    const context = await model.createContext({ sequences: options.sequences, contextSize: options.contextSize, threads: options.threads });
    return new LlamaEngine(lib, llama, model, context);
  }

  get contextSize(): number { return this.context.contextSize; }

  /** The prompt as the model's tokens: chat messages through node-llama-cpp's general chat format, BOS first. */
  promptTokens(prompt: EnginePrompt): Token[] {
    if ('text' in prompt) return [...this.bos(), ...this.model.tokenize(prompt.text)];
    const history = prompt.chat.map((m) =>
      m.role === 'assistant' ? { type: 'model' as const, response: [m.content] } : m.role === 'system' ? { type: 'system' as const, text: m.content } : { type: 'user' as const, text: m.content },
    );
    const { contextText } = new this.lib.GeneralChatWrapper().generateContextState({ chatHistory: [...history, { type: 'model', response: [] }] });
    return contextText.tokenize(this.model.tokenizer);
  }

  /**
   * Yields each generated token's text as llama.cpp produces it, until an end-of-generation token, `maxTokens`
   * or the signal; returns why it stopped.
   */
  async *generate(input: Token[], options: GenerateOptions): AsyncGenerator<GeneratedToken, FinishReason> {
    const seq = await this.acquire();
    const produced: Token[] = [];
    try {
      const tokens = seq.evaluate(input, { temperature: options.temperature, ...(options.seed === undefined ? {} : { seed: options.seed }) });
      for await (const token of tokens) {
        if (options.signal.aborted) return 'cancelled';
        if (this.model.isEogToken(token)) return 'stop';
        const text = this.model.detokenize([token], false, produced.length > 0 ? produced.slice(-8) : input.slice(-8));
        produced.push(token);
        yield { text };
        if (produced.length >= options.maxTokens) return 'length';
      }
      return 'stop';
    } finally {
      await seq.clearHistory();
      this.release(seq);
    }
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }

  private bos(): Token[] {
    const bos = this.model.tokens.bos;
    return bos !== null && this.model.tokens.shouldPrependBosToken ? [bos] : [];
  }

  private acquire(): Promise<LlamaContextSequence> {
    const seq = this.free.pop();
    if (seq) return Promise.resolve(seq);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(seq: LlamaContextSequence): void {
    const next = this.waiting.shift();
    if (next) next(seq); else this.free.push(seq);
  }
}
