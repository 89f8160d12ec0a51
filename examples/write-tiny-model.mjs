#!/usr/bin/env node
// Writes a tiny but real Hugging Face–style model folder to try ModelHub with (README "First 10 minutes"):
//   config.json        a Llama config (2 layers, hidden size 64, vocabulary 256)
//   model.safetensors  every tensor that config implies, BF16, filled from a fixed seed (about 210 KiB)
//   README.md          a model card whose front matter names the license (Apache-2.0)
// The weights are random: the files are genuine formats (the registry reads the parameter count from the
// safetensors header and the architecture from config.json) but the model says nothing useful.
// Usage: node examples/write-tiny-model.mjs <folder> [--seed <n>]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const folder = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--seed');
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 1;
if (!folder || !Number.isInteger(seed)) {
  process.stderr.write('usage: node examples/write-tiny-model.mjs <folder> [--seed <n>]\n');
  process.exit(2);
}

const config = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 64,
  intermediate_size: 128,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  num_hidden_layers: 2,
  max_position_embeddings: 2048,
  vocab_size: 256,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
};

/** The tensors of a Llama decoder with this config, named as transformers names them. */
function tensors() {
  const { hidden_size: h, intermediate_size: ff, vocab_size: vocab, num_attention_heads: heads, num_key_value_heads: kvHeads } = config;
  const kv = (h / heads) * kvHeads;
  const list = [['model.embed_tokens.weight', [vocab, h]]];
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `model.layers.${l}`;
    list.push(
      [`${p}.input_layernorm.weight`, [h]],
      [`${p}.self_attn.q_proj.weight`, [h, h]],
      [`${p}.self_attn.k_proj.weight`, [kv, h]],
      [`${p}.self_attn.v_proj.weight`, [kv, h]],
      [`${p}.self_attn.o_proj.weight`, [h, h]],
      [`${p}.post_attention_layernorm.weight`, [h]],
      [`${p}.mlp.gate_proj.weight`, [ff, h]],
      [`${p}.mlp.up_proj.weight`, [ff, h]],
      [`${p}.mlp.down_proj.weight`, [h, ff]],
    );
  }
  list.push(['model.norm.weight', [h]], ['lm_head.weight', [vocab, h]]);
  return list;
}

/** mulberry32: a small deterministic generator, so the same seed writes the same bytes. */
function random(state) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** BF16 is the high half of an IEEE float32. Norms start at 1, other weights small around 0. */
function bf16(values) {
  const f32 = new Float32Array(values);
  const u32 = new Uint32Array(f32.buffer);
  const out = Buffer.alloc(values.length * 2);
  for (let i = 0; i < u32.length; i++) out.writeUInt16LE(u32[i] >>> 16, i * 2);
  return out;
}

function safetensors() {
  const next = random(seed);
  const header = { __metadata__: { format: 'pt' } };
  const blobs = [];
  let offset = 0;
  for (const [name, shape] of tensors()) {
    const count = shape.reduce((n, d) => n * d, 1);
    const norm = name.endsWith('norm.weight');
    const data = bf16(Array.from({ length: count }, () => (norm ? 1 : (next() - 0.5) * 0.04)));
    header[name] = { dtype: 'BF16', shape, data_offsets: [offset, offset + data.length] };
    blobs.push(data);
    offset += data.length;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]); // padded to 8 bytes, as the reference writer does
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, ...blobs]);
}

const parameters = tensors().reduce((n, [, shape]) => n + shape.reduce((m, d) => m * d, 1), 0);
const card = `---
license: apache-2.0
library_name: transformers
pipeline_tag: text-generation
tags:
  - example
---

# A tiny Llama

Written by \`examples/write-tiny-model.mjs\` (seed ${seed}) to try ModelHub: ${parameters.toLocaleString('en')} parameters with
random weights. Real file formats, no useful model.
`;

mkdirSync(folder, { recursive: true });
writeFileSync(path.join(folder, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
writeFileSync(path.join(folder, 'model.safetensors'), safetensors());
writeFileSync(path.join(folder, 'README.md'), card);
process.stdout.write(`wrote ${folder}/: config.json, model.safetensors (${parameters} parameters, BF16), README.md (license apache-2.0)\n`);
