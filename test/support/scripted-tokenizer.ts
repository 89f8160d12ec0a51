import type http from 'node:http';

/**
 * vLLM's tokenizer endpoints (/tokenizer_info, /tokenize, /detokenize) and echoed prompt log-probabilities, as
 * lm-evaluation-harness's `tokenizer_backend=remote` reads them for loglikelihood tasks (multiple choice, hellaswag,
 * mmlu). Tokens are words with their leading whitespace; ids are handed out in first-seen order.
 */
export class ScriptedTokenizer {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];

  encode(text: string): number[] {
    return (text.match(/\s*\S+|\s+/g) ?? []).map((piece) => {
      let id = this.ids.get(piece);
      if (id === undefined) {
        id = this.texts.length;
        this.ids.set(piece, id);
        this.texts.push(piece);
      }
      return id;
    });
  }

  decode(tokens: number[]): string {
    return tokens.map((id) => this.texts[id] ?? '').join('');
  }

  /** Answers the tokenizer endpoints; false for any other path. */
  route(req: http.IncomingMessage, res: http.ServerResponse, raw: string): boolean {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && req.url === '/tokenizer_info') {
      json({ tokenizer_class: 'ScriptedWordTokenizer', eos_token: null, bos_token: null, pad_token: null, model_max_length: 4096 });
      return true;
    }
    if (req.method === 'POST' && req.url === '/tokenize') {
      const tokens = this.encode(String((JSON.parse(raw) as { prompt?: unknown }).prompt ?? ''));
      json({ tokens, count: tokens.length, max_model_len: 4096 });
      return true;
    }
    if (req.method === 'POST' && req.url === '/detokenize') {
      json({ prompt: this.decode((JSON.parse(raw) as { tokens?: number[] }).tokens ?? []) });
      return true;
    }
    return false;
  }

  /**
   * A completions answer to `echo: true, logprobs: n`: per prompt (token ids, or text), each prompt token's
   * log-probability (the first null, as OpenAI's API gives it) plus one generated token, with that token as its own
   * top alternative. `logprob` scores a token from its text.
   */
  echo(prompt: unknown, logprob: (token: string) => number): { choices: unknown[] } {
    const prompts: (number[] | string)[] = Array.isArray(prompt) && prompt.length && Array.isArray(prompt[0]) ? (prompt as number[][])
      : Array.isArray(prompt) && prompt.every((p) => typeof p === 'number') ? [prompt as number[]]
        : Array.isArray(prompt) ? (prompt as string[]) : [String(prompt ?? '')];
    return {
      choices: prompts.map((p, index) => {
        const ids = typeof p === 'string' ? this.encode(p) : p;
        const tokens = [...ids.map((id) => this.texts[id] ?? ''), ' .'];
        const scores = tokens.map((t, i) => (i === 0 ? null : logprob(t)));
        return {
          index,
          text: tokens.join(''),
          finish_reason: 'length',
          logprobs: { tokens, token_logprobs: scores, top_logprobs: tokens.map((t, i) => (i === 0 ? null : { [t]: scores[i] })), text_offset: [] },
        };
      }),
    };
  }
}
