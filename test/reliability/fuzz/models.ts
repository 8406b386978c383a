/**
 * Broken copies of the tiny embedded model for `attune perplexity`: damaged or missing files,
 * configs with wrong values, NaN weights. Every one must be refused, naming the file.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromPackageRoot } from '../../../core/base/paths.js';
import type { Chooser } from './random.js';
import type { FuzzCase } from './run-cases.js';

const configKeys = ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'vocab_size', 'intermediate_size', 'rms_norm_eps', 'rope_theta', 'max_position_embeddings'];

function poison(file: string): void {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype?: string; data_offsets: [number, number] }>;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__' || info.dtype !== 'F32') continue;
    for (let at = 8 + headerLength + info.data_offsets[0]; at < 8 + headerLength + info.data_offsets[1]; at += 4) bytes.writeFloatLE(Number.POSITIVE_INFINITY, at);
  }
  writeFileSync(file, bytes);
}

export function modelCases(choose: Chooser, dir: string, count: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const root = join(dir, `m${i}`);
    cpSync(fromPackageRoot('models', 'attune-tiny-qwen2'), root, { recursive: true });
    const weights = join(root, 'model.safetensors');
    const config = JSON.parse(readFileSync(join(root, 'config.json'), 'utf8')) as Record<string, unknown>;
    const kind = choose.int(10);
    let expect: FuzzCase['expect'] = 'reject';
    switch (kind) {
      case 0:
        delete config[choose.pick(configKeys)];
        writeFileSync(join(root, 'config.json'), JSON.stringify(config));
        break;
      case 1:
        config[choose.pick(configKeys)] = choose.pick(['x', -1, 0, null, [], 1.5e300]);
        writeFileSync(join(root, 'config.json'), JSON.stringify(config));
        // rms_norm_eps and rope_theta have no integer rule: a huge one is only a strange model.
        expect = 'any';
        break;
      case 2: {
        const name = choose.pick(['config.json', 'tokenizer.json', 'generation_config.json']);
        const text = readFileSync(join(root, name), 'utf8');
        writeFileSync(join(root, name), text.slice(0, choose.int(text.length - 1)));
        break;
      }
      case 3: {
        const bytes = readFileSync(weights);
        writeFileSync(weights, bytes.subarray(0, choose.int(bytes.length - 1)));
        break;
      }
      case 4: {
        const bytes = readFileSync(weights);
        const at = 8 + choose.int(200);
        bytes.fill(choose.pick([0x00, 0x7b, 0x22, 0xff]), at, at + 4);
        writeFileSync(weights, bytes);
        expect = 'any';
        break;
      }
      case 5:
        rmSync(join(root, choose.pick(['model.safetensors', 'tokenizer.json', 'config.json'])));
        break;
      case 6:
        rmSync(weights);
        mkdirSync(weights);
        break;
      case 7:
        poison(weights);
        break;
      case 8: {
        const generation = JSON.parse(readFileSync(join(root, 'generation_config.json'), 'utf8')) as Record<string, unknown>;
        writeFileSync(join(root, 'generation_config.json'), JSON.stringify({ ...generation, eos_token_id: choose.pick([1e9, -3, 'eos', [1, 1e7]]) }));
        break;
      }
      default:
        writeFileSync(join(root, 'tokenizer.json'), JSON.stringify({ model: { type: 'BPE', vocab: {}, merges: [] }, added_tokens: [] }));
    }
    cases.push({ id: `model-${i}-k${kind}`, family: 'model', argv: ['perplexity', '--model', root, '--text', 'I feel a bit lonely tonight.'], expect, locate: [root] });
  }
  return cases;
}
