/**
 * The one-call form of DecoderTrace: name the outputs an objective needs ("hidden states + LM
 * loss + reference hidden states"), optionally the LM-loss gradients, and get one compiled
 * program. Trainers with extra heads or losses use DecoderTrace directly on their own graph.
 */
import type { Program, Tensor } from '../../engine/index.js';
import { gradients, ops } from '../../engine/index.js';
import { DecoderTrace } from './decoder-trace.js';
import type { DecoderModel, DecoderTraceOptions } from './decoder-trace.js';

export type DecoderOutput = 'logits' | 'hidden' | 'lmLoss' | 'tokenLogProbs' | 'referenceHidden' | 'referenceLogits' | 'referenceTokenLogProbs';

/** Names a run returns outputs under (gradients come back under their parameter's name). */
export const DECODER_OUTPUTS = {
  logits: 'logits',
  hidden: 'hidden',
  lmLossSum: 'lm_loss_sum',
  lmTokenCount: 'lm_token_count',
  tokenLogProbs: 'token_logprobs',
  referenceHidden: 'reference_hidden',
  referenceLogits: 'reference_logits',
  referenceTokenLogProbs: 'reference_token_logprobs',
} as const;

export interface DecoderProgramRequest extends DecoderTraceOptions {
  readonly outputs: readonly DecoderOutput[];
  /** Also output d(loss)/d(parameter) for every trainable parameter, for this LM loss. */
  readonly gradientsOf?: 'lmLossSum' | 'lmLossMean';
}

export interface DecoderProgram {
  readonly program: Program;
  readonly trace: DecoderTrace;
}

export function buildDecoderProgram(model: DecoderModel, request: DecoderProgramRequest): DecoderProgram {
  const trace = DecoderTrace.trace(model, request);
  const out: Record<string, Tensor> = {};
  for (const name of new Set(request.outputs)) {
    switch (name) {
      case 'logits':
        out[DECODER_OUTPUTS.logits] = trace.logits();
        break;
      case 'hidden':
        out[DECODER_OUTPUTS.hidden] = trace.hidden();
        break;
      case 'lmLoss': {
        const { lossSum, count } = trace.lmLoss();
        out[DECODER_OUTPUTS.lmLossSum] = lossSum;
        out[DECODER_OUTPUTS.lmTokenCount] = count;
        break;
      }
      case 'tokenLogProbs':
        out[DECODER_OUTPUTS.tokenLogProbs] = trace.tokenLogProbs();
        break;
      case 'referenceHidden':
        out[DECODER_OUTPUTS.referenceHidden] = trace.referenceHidden();
        break;
      case 'referenceLogits':
        out[DECODER_OUTPUTS.referenceLogits] = trace.logits('reference');
        break;
      case 'referenceTokenLogProbs':
        out[DECODER_OUTPUTS.referenceTokenLogProbs] = trace.tokenLogProbs('reference');
        break;
    }
  }
  if (request.gradientsOf) {
    if (trace.parameters.length === 0) throw new Error("decoder: gradientsOf needs trainable parameters; set trainable to { kind: 'lora', ... } or { kind: 'full' }");
    const { lossSum, count } = trace.lmLoss();
    const loss = request.gradientsOf === 'lmLossMean' ? ops.div(lossSum, count) : lossSum;
    Object.assign(out, gradients(loss, trace.parameters));
  }
  return { program: trace.graph.compile({ outputs: out }), trace };
}
