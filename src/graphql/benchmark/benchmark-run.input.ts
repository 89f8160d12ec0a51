import { Field, Float, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { EvalTaskKind } from '../../domain/evaluation/eval-suite';

@InputType({ description: 'An OpenAI-compatible endpoint serving the version (vLLM, TGI, SGLang, llama.cpp server, a provider).' })
export class TargetInput {
  @Field(() => String, { description: 'Base URL (http or https, at most 2048 characters, no credentials, query or fragment); requests go to <url>/v1/chat/completions or <url>/v1/completions. Loopback, private and metadata addresses are refused unless the server allows them (URL_IMPORT_ALLOW).' })
  url!: string;

  @Field(() => String, { description: 'The served model name sent in each request (at most 300 characters).' })
  model!: string;

  @Field(() => String, { nullable: true, description: 'Printable ASCII, at most 4096 characters; sealed at once (SECRETS_KEY); never stored in plain text or returned.' })
  apiKey?: string | null;
}

@InputType({ description: 'The hardware and engine the endpoint runs on; recorded with the results.' })
export class HardwareProfileInput {
  @Field(() => String, { description: 'e.g. "H100-80GB", "cpu".' })
  gpuType!: string;

  @Field(() => Int)
  gpuCount!: number;

  @Field(() => String, { description: 'vllm, tgi, sglang, llama.cpp, …' })
  engine!: string;

  @Field(() => String, { nullable: true })
  engineVersion?: string | null;

  @Field(() => String, { nullable: true })
  quantization?: string | null;

  @Field(() => Int, { nullable: true })
  tensorParallel?: number | null;
}

@InputType({ description: 'A request counts toward goodput when it succeeds within every bound given.' })
export class SloInput {
  @Field(() => Float, { nullable: true })
  ttftMs?: number | null;

  @Field(() => Float, { nullable: true })
  tpotMs?: number | null;

  @Field(() => Float, { nullable: true })
  e2eMs?: number | null;
}

@InputType({
  description:
    'A sweep of at most 16 levels. A run keeps every measured request as a raw sample, so it is bounded: levels × requestsPerLevel ' +
    '≤ 200,000 and × outputTokens ≤ 10,000,000; a level stopped by duration alone also stops at its share of those budgets; ' +
    'levels × durationSeconds ≤ 72,000 (open loop: the requests at their rates too); highest concurrency × prompt size ≤ 256 MiB. ' +
    'A request is cut off (an error sample) after 30 minutes, after a 1 MiB event line, past 2 × outputTokens + 16 content chunks, or past 16 MiB + 16 KiB per outputToken of body.',
})
export class BenchmarkScenarioInput {
  @Field(() => String, { description: '"chat" or "completion".' })
  api!: 'chat' | 'completion';

  @Field(() => [Int], { nullable: true, description: 'Closed-loop levels: requests kept in flight (1 to 4096).' })
  concurrencies?: number[] | null;

  @Field(() => [Float], { nullable: true, description: 'Open-loop levels: requests started per second (0.01 to 10,000); at most 4096 in flight (fewer for long prompts), later starts wait.' })
  requestRates?: number[] | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Requests run and discarded before each level (at most 10,000); closed loop: rounded up to whole rounds of the concurrency, measurement follows without a pause.',
  })
  warmupRequests?: number | null;

  @Field(() => Float, { nullable: true, description: "Closed loop: spread the workers' first requests over this many seconds (at most 3600)." })
  rampUpSeconds?: number | null;

  @Field(() => Int, { nullable: true, description: 'A level stops after this many measured requests (1 to 100,000), or durationSeconds, whichever comes first.' })
  requestsPerLevel?: number | null;

  @Field(() => Float, { nullable: true, description: 'A level stops after this many seconds (0.1 to 86,400).' })
  durationSeconds?: number | null;

  @Field(() => Int, { nullable: true, description: 'Synthetic prompt length (1 to 131,072; default 32; ignored when prompts are given).' })
  inputTokens?: number | null;

  @Field(() => Int, { description: 'max_tokens of each request (1 to 32,768).' })
  outputTokens!: number;

  @Field(() => [String], { nullable: true, description: 'A fixed prompt set, cycled (at most 1000 prompts of at most 32,768 characters, 262,144 in all).' })
  prompts?: string[] | null;

  @Field(() => SloInput, { nullable: true })
  slo?: SloInput | null;
}

@InputType()
export class RunBenchmarkInput {
  @Field(() => ID)
  versionId!: string;

  @Field(() => TargetInput)
  target!: TargetInput;

  @Field(() => HardwareProfileInput)
  profile!: HardwareProfileInput;

  @Field(() => BenchmarkScenarioInput)
  scenario!: BenchmarkScenarioInput;
}

registerEnumType(EvalTaskKind, {
  name: 'EvalTaskKind',
  description:
    'MULTIPLE_CHOICE (letter extraction, accuracy per subject), EXACT_MATCH, REGEX_MATCH, CODE (humaneval-style, run in a sandbox), ' +
    'JUDGE (mt_bench-style: each answer rated 1-10 by the judge endpoint configured on the server), ' +
    "LM_EVAL (a task of EleutherAI's lm-evaluation-harness, run by the worker's lm_eval against the endpoint).",
});

@InputType({ description: 'An lm-evaluation-harness task (LM_EVAL tasks only).' })
export class HarnessTaskInput {
  @Field(() => String, { description: 'The harness task or group name, e.g. "gsm8k", "hellaswag", "mmlu".' })
  task!: string;

  @Field(() => Int, { nullable: true, description: "Few-shot examples (--num_fewshot); the task's default when null." })
  numFewshot?: number | null;

  @Field(() => String, {
    nullable: true,
    description: '"completions" (default; local-completions, needed by loglikelihood tasks) or "chat" (local-chat-completions with the chat template).',
  })
  api?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      '"none" (default: prompts go as text; generation tasks such as gsm8k) or "remote": the harness tokenizes through the ' +
      "endpoint's /tokenize, /detokenize and /tokenizer_info (vLLM, started with --enable-tokenizer-info-endpoint; with " +
      'the API key, like every harness request) and sends token ids, as loglikelihood tasks (hellaswag, mmlu, ' +
      'arc: multiple choice scored by echoed log-probabilities) need. "remote" needs api "completions".',
  })
  tokenizer?: string | null;
}

@InputType()
export class EvalTaskInput {
  @Field(() => String, { description: 'Stored as the evaluation benchmark name (mmlu, humaneval, …): lowercase letters, digits, ".", "_" or "-", at most 64, unique in the suite.' })
  name!: string;

  @Field(() => EvalTaskKind)
  kind!: EvalTaskKind;

  @Field(() => String, { nullable: true, description: 'A .jsonl file relative to the datasets folder (EVAL_DATASETS_DIR), or a hub file hf://datasets/<owner>/<name>[@<revision>]/<file>.jsonl (read at the commit the revision points to); every kind but LM_EVAL needs one.' })
  dataset?: string | null;

  @Field(() => Int, { nullable: true, description: 'Score the first n rows only.' })
  limit?: number | null;

  @Field(() => Int, { nullable: true })
  maxTokens?: number | null;

  @Field(() => HarnessTaskInput, { nullable: true, description: 'LM_EVAL tasks: which harness task to run.' })
  harness?: HarnessTaskInput | null;
}

@InputType()
export class EvalSuiteInput {
  @Field(() => String)
  name!: string;

  @Field(() => [EvalTaskInput])
  tasks!: EvalTaskInput[];
}

@InputType()
export class RunEvaluationInput {
  @Field(() => ID)
  versionId!: string;

  @Field(() => TargetInput)
  target!: TargetInput;

  @Field(() => EvalSuiteInput)
  suite!: EvalSuiteInput;
}
