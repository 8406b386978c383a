/**
 * Classification heads trained beside an adapter (an SFT run's emotion and strategy heads):
 * `heads.json` (written by the SFT trainer next to the adapter: label, classes, weight name) and
 * the tensors in the adapter's heads.safetensors. A head reads the final hidden state of the last
 * prompt token — the conversation rendered with its generation prompt, as in training.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AttuneError } from '../../base/errors.js';
import type { Parameter } from '../../engine/optim/parameter.js';
import { DECODER_OUTPUTS, padBatch } from '../decoder/index.js';
import type { InferenceModel } from './inference-model.js';
import { padIdOf } from './padding.js';

export const HEADS_MANIFEST = 'heads.json';

export interface ClassificationHead {
  readonly label: string;
  readonly classes: readonly string[];
  /** [classes, hidden], torch.nn.Linear's layout. */
  readonly weight: Float32Array;
  readonly bias: Float32Array | null;
}

export interface HeadPrediction {
  /** The most likely class. */
  readonly label: string;
  readonly probability: number;
  /** Every class's probability. */
  readonly probabilities: Readonly<Record<string, number>>;
}

interface ManifestEntry {
  label: string;
  classes: string[];
  weight: string;
}

/** The heads of an adapter folder (empty when it has no heads.json beside it or one level up). */
export function headsOfAdapter(adapterDir: string, extras: readonly Parameter[], hiddenSize: number): ClassificationHead[] {
  const file = [join(adapterDir, HEADS_MANIFEST), join(dirname(adapterDir), HEADS_MANIFEST)].find((f) => existsSync(f));
  if (file === undefined) return [];
  let entries: ManifestEntry[];
  try {
    entries = (JSON.parse(readFileSync(file, 'utf8')) as { heads: ManifestEntry[] }).heads;
    if (!Array.isArray(entries)) throw new Error('no heads list');
  } catch (error) {
    throw new AttuneError(`${file}: not a heads manifest (${(error as Error).message})`, 'it is written by the SFT trainer as {"heads": [{"label", "classes", "weight"}]}; remove it if it is not one');
  }
  const byName = new Map(extras.map((p) => [p.name, p]));
  return entries.map((e, i) => {
    const weight = byName.get(e.weight);
    const bias = byName.get(e.weight.replace(/\.weight$/, '.bias'));
    const where = `${file}, heads[${i}] (${e.label})`;
    if (!weight) throw new AttuneError(`${where}: the adapter's heads.safetensors has no tensor ${e.weight}`, 'the manifest and the adapter come from different runs: use the run folder as it was written');
    if (weight.shape.join() !== `${e.classes.length},${hiddenSize}`) {
      throw new AttuneError(`${where}: ${e.weight} has shape [${weight.shape.join(', ')}], expected [${e.classes.length}, ${hiddenSize}] (classes × hidden size)`, 'the head was trained on another model or taxonomy');
    }
    return { label: e.label, classes: e.classes, weight: weight.data, bias: bias?.data ?? null };
  });
}

/** Softmax over the head's logits for the last token of each prompt (left-padded batch). */
export async function predictHeads(model: InferenceModel, prompts: readonly (readonly number[])[], heads: readonly ClassificationHead[]): Promise<HeadPrediction[][]> {
  if (prompts.length === 0 || heads.length === 0) return prompts.map(() => []);
  const { folder } = model;
  const H = model.config.hiddenSize;
  const batch = padBatch(prompts.map((ids) => ({ ids })), folder.config, { padId: padIdOf(folder.config, folder.tokenizer.pad?.id ?? null, folder.stopTokenIds), side: 'left', context: 'heads', rowLabel: 'conversation' });
  const session = await model.session('full-hidden', true);
  const out = await session.run({ ...model.adapterFeeds(true), ...batch.feeds }, { dims: batch.dims });
  const hidden = out[DECODER_OUTPUTS.hidden]!.data as Float32Array;
  return prompts.map((_, b) => {
    // Left padding: the last prompt token is the last position of the row.
    const h = hidden.subarray((b * batch.seq + batch.seq - 1) * H, (b * batch.seq + batch.seq) * H);
    return heads.map((head) => {
      const logits = head.classes.map((_, c) => {
        let z = head.bias ? (head.bias[c] as number) : 0;
        for (let k = 0; k < H; k++) z += (head.weight[c * H + k] as number) * (h[k] as number);
        return z;
      });
      const max = Math.max(...logits);
      const e = logits.map((z) => Math.exp(z - max));
      const total = e.reduce((s, v) => s + v, 0);
      const p = e.map((v) => v / total);
      const top = p.indexOf(Math.max(...p));
      return { label: head.classes[top]!, probability: p[top]!, probabilities: Object.fromEntries(head.classes.map((c, k) => [c, p[k]!])) };
    });
  });
}
