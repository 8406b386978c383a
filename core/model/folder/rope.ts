/**
 * Rotary position embedding settings. Only the kinds the engine implements are accepted; any other
 * `rope_scaling` fails at load time instead of silently training with wrong positions.
 */
import { ModelFolderError } from './errors.js';

export type RopeScaling =
  | { kind: 'linear'; factor: number }
  | { kind: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositionEmbeddings: number };

export const SUPPORTED_ROPE_KINDS = ['default', 'linear', 'llama3'] as const;

/** Reads HF `rope_scaling` (or transformers 5 `rope_parameters`); null means plain RoPE. */
export function parseRopeScaling(raw: unknown, file: string): RopeScaling | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ModelFolderError(`${file}: rope_scaling must be an object or null, got ${JSON.stringify(raw)}`);
  }
  const r = raw as Record<string, unknown>;
  const kind = r.rope_type ?? r.type ?? 'default';
  const number = (key: string): number => {
    const value = r[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new ModelFolderError(`${file}: rope_scaling.${key} must be a positive number for rope type "${String(kind)}", got ${JSON.stringify(value)}`);
    }
    return value;
  };
  switch (kind) {
    case 'default':
      return null;
    case 'linear':
      return { kind: 'linear', factor: number('factor') };
    case 'llama3': {
      const scaling: RopeScaling = {
        kind: 'llama3',
        factor: number('factor'),
        lowFreqFactor: number('low_freq_factor'),
        highFreqFactor: number('high_freq_factor'),
        originalMaxPositionEmbeddings: number('original_max_position_embeddings'),
      };
      if (scaling.highFreqFactor <= scaling.lowFreqFactor) {
        throw new ModelFolderError(`${file}: rope_scaling.high_freq_factor must exceed low_freq_factor`);
      }
      return scaling;
    }
    default:
      throw new ModelFolderError(
        `${file}: rope_scaling type ${JSON.stringify(kind)} is not supported; supported: ${SUPPORTED_ROPE_KINDS.join(', ')}`,
        'remove rope_scaling (use the model at its native context length) or pick a model without it',
      );
  }
}

/** Per-pair inverse frequencies θ_i = base^(-2i/d), adjusted by the scaling kind as transformers does. */
export function ropeInverseFrequencies(headDim: number, theta: number, scaling: RopeScaling | null): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / theta ** ((2 * i) / headDim);
  if (!scaling) return inv;
  if (scaling.kind === 'linear') return inv.map((f) => f / scaling.factor);
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: context } = scaling;
  const lowFreqWavelen = context / lowFreqFactor;
  const highFreqWavelen = context / highFreqFactor;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highFreqWavelen) return f;
    if (wavelen > lowFreqWavelen) return f / factor;
    const smooth = (context / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
    return (1 - smooth) * (f / factor) + smooth * f;
  });
}
