import { ENGINE_INSTALL_HINT, LlamaEngine } from './llama-engine';
import { serveOpenAi } from './llama-openai-server';

/**
 * The real-engine server as its own process (started by startLlamaOpenAiServer): LLAMA_MODEL_PATH is the GGUF,
 * LLAMA_MODEL_NAME the served model name. Prints one JSON line `{"ready":…}` when listening, or a line starting
 * with `LLAMA_ENGINE_UNAVAILABLE` and exits 3 when the engine cannot be loaded.
 */
async function main(): Promise<void> {
  const modelPath = process.env.LLAMA_MODEL_PATH;
  if (!modelPath) throw new Error('LLAMA_MODEL_PATH is not set');
  const started = performance.now();
  let engine: LlamaEngine;
  try {
    engine = await LlamaEngine.load(modelPath, {
      sequences: Number(process.env.LLAMA_SEQUENCES ?? 4),
      // One thread by default: llama.cpp's threads spin while they wait for each other, which on a busy 2-core machine
      // costs far more than it gains for a model this small.
      threads: Number(process.env.LLAMA_THREADS ?? 1),
      contextSize: Number(process.env.LLAMA_CONTEXT_SIZE ?? 1024),
    });
  } catch (error) {
    const reason = error instanceof Error ? (error.message && error.message !== error.name ? `${error.name}: ${error.message}` : error.name) : String(error);
    console.error(`LLAMA_ENGINE_UNAVAILABLE: ${reason}\n${ENGINE_INSTALL_HINT}`);
    process.exit(3);
  }
  const loadMs = performance.now() - started;
  const server = await serveOpenAi(engine, process.env.LLAMA_MODEL_NAME ?? 'tiny-llama');
  console.log(JSON.stringify({ ready: true, url: server.url, loadMs: Math.round(loadMs), contextSize: engine.contextSize }));
  const stop = () => { void server.close().then(() => engine.dispose()).then(() => process.exit(0)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
