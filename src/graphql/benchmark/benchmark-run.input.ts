import { Field, Float, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { EvalTaskKind } from '../../domain/evaluation/eval-suite';

@InputType({ description: 'An OpenAI-compatible endpoint serving the version (vLLM, TGI, SGLang, llama.cpp server, a provider).' })
export class TargetInput {
  @Field(() => String, { description: 'Base URL; requests go to <url>/v1/chat/completions or <url>/v1/completions.' })
  url!: string;

  @Field(() => String, { description: 'The served model name sent in each request.' })
  model!: string;

  @Field(() => String, { nullable: true, description: 'Sealed at once (SECRETS_KEY); never stored in plain text or returned.' })
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

@InputType()
export class BenchmarkScenarioInput {
  @Field(() => String, { description: '"chat" or "completion".' })
  api!: 'chat' | 'completion';

  @Field(() => [Int], { nullable: true, description: 'Closed-loop levels: requests kept in flight.' })
  concurrencies?: number[] | null;

  @Field(() => [Float], { nullable: true, description: 'Open-loop levels: requests started per second.' })
  requestRates?: number[] | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Requests run and discarded before each level; closed loop: rounded up to whole rounds of the concurrency, measurement follows without a pause.',
  })
  warmupRequests?: number | null;

  @Field(() => Float, { nullable: true, description: "Closed loop: spread the workers' first requests over this many seconds." })
  rampUpSeconds?: number | null;

  @Field(() => Int, { nullable: true })
  requestsPerLevel?: number | null;

  @Field(() => Float, { nullable: true })
  durationSeconds?: number | null;

  @Field(() => Int, { nullable: true, description: 'Synthetic prompt length (ignored when prompts are given).' })
  inputTokens?: number | null;

  @Field(() => Int)
  outputTokens!: number;

  @Field(() => [String], { nullable: true })
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
}

@InputType()
export class EvalTaskInput {
  @Field(() => String, { description: 'Stored as the evaluation benchmark name (mmlu, humaneval, …).' })
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
