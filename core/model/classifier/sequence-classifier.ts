/**
 * A sequence classifier ready to score: one compiled session, inputs batched by length and padded
 * to buckets (few distinct shapes, little wasted compute), logits returned in input order with the
 * label names and the activation the problem type implies.
 */
import { EngineSession } from '../../engine/index.js';
import type { SessionOptions } from '../../engine/index.js';
import type { ProblemType } from './classifier-config.js';
import { classifierBatch } from './classifier-batch.js';
import { encodeClassifierInput } from './classifier-encode.js';
import type { ClassifierInput, EncodedInput } from './classifier-encode.js';
import { buildClassifierProgram, CLASSIFIER_OUTPUTS } from './classifier-graph.js';
import { openClassifierFolder } from './open-classifier-folder.js';
import type { ClassifierFolder, OpenClassifierOptions } from './open-classifier-folder.js';

export interface SequenceClassifierOptions extends OpenClassifierOptions {
  /** Rows per forward. Default 16. */
  readonly batchSize?: number;
  /** Padded lengths are multiples of this. Default 16. */
  readonly bucket?: number;
  /** Inputs longer than this (or the model's limit, if smaller) are truncated longest-first. */
  readonly maxLength?: number;
  readonly session?: SessionOptions;
}

export interface Classification {
  readonly logits: number[];
  /** Tokens dropped by truncation. */
  readonly truncated: number;
}

export class SequenceClassifier {
  private constructor(
    readonly folder: ClassifierFolder,
    private readonly session: EngineSession,
    private readonly options: Required<Pick<SequenceClassifierOptions, 'batchSize' | 'bucket'>> & { maxLength: number },
  ) {}

  static async open(nameOrPath: string, options: SequenceClassifierOptions = {}): Promise<SequenceClassifier> {
    const folder = await openClassifierFolder(nameOrPath, options);
    let session: EngineSession;
    try {
      session = await EngineSession.create(buildClassifierProgram(folder), options.session);
    } catch (error) {
      await folder.dispose();
      throw error;
    }
    const maxLength = Math.min(options.maxLength ?? Infinity, folder.maxLength);
    return new SequenceClassifier(folder, session, { batchSize: options.batchSize ?? 16, bucket: options.bucket ?? 16, maxLength });
  }

  get labels(): readonly string[] {
    return this.folder.config.labels;
  }

  get problemType(): ProblemType {
    return this.folder.config.problemType;
  }

  encode(input: ClassifierInput): EncodedInput {
    return encodeClassifierInput(this.folder.tokenizer, this.folder.config, this.folder.framing, input, this.options.maxLength);
  }

  async classify(inputs: readonly ClassifierInput[]): Promise<Classification[]> {
    const encoded = inputs.map((input) => this.encode(input));
    // Sorted by length so each batch pads to a tight bucket; results go back to input order.
    const order = encoded.map((_, i) => i).sort((a, b) => encoded[a]!.ids.length - encoded[b]!.ids.length);
    const out: Classification[] = new Array(inputs.length);
    const { batchSize, bucket, maxLength } = this.options;
    for (let at = 0; at < order.length; at += batchSize) {
      const chunk = order.slice(at, at + batchSize);
      const longest = Math.max(...chunk.map((i) => encoded[i]!.ids.length));
      const seq = Math.min(Math.ceil(longest / bucket) * bucket, Math.max(maxLength, longest));
      // Right padding: encoder heads read position 0 and decoders pool the last real token, so it changes nothing.
      const batch = classifierBatch(this.folder.config, chunk.map((i) => encoded[i]!), seq, 'right');
      const result = await this.session.run(batch.feeds, { dims: batch.dims });
      const logits = result[CLASSIFIER_OUTPUTS.logits]!.data as Float32Array | Float64Array;
      const n = this.folder.config.numLabels;
      chunk.forEach((index, row) => {
        out[index] = { logits: Array.from(logits.subarray(row * n, (row + 1) * n)), truncated: encoded[index]!.truncated };
      });
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
    await this.folder.dispose();
  }
}

/** The activation transformers applies for a problem type: sigmoid per label (regression, multi-label) or softmax. */
export function activate(logits: readonly number[], activation: 'sigmoid' | 'softmax' | 'none'): number[] {
  if (activation === 'none') return [...logits];
  if (activation === 'sigmoid') return logits.map((x) => 1 / (1 + Math.exp(-x)));
  const max = Math.max(...logits);
  const exps = logits.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
