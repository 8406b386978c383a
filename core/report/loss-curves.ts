/**
 * Loss-curve plots from `metrics.jsonl`: one chart per stage, one line per logged loss term
 * (and evaluation points as dots), rendered with Vega-Lite to SVG and converted to PNG with
 * sharp — the two formats people actually open.
 */
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { readMetrics } from '../kernel/events/subscribers/metrics-writer.js';
import type { MetricRecord } from '../kernel/events/subscribers/metrics-writer.js';
import { writeFileAtomic } from '../base/atomic-write.js';

interface Point {
  step: number;
  value: number;
  series: string;
}

/** Which metrics a chart draws: losses, or a rollout stage's rewards and KL. */
export interface CurveKind {
  readonly name: 'losses' | 'rewards';
  readonly match: RegExp;
  readonly axis: string;
}

export const LOSS_CURVES: CurveKind = { name: 'losses', match: /loss/, axis: 'loss' };
/** TRL's headline rollout curves: the total reward, each reward's mean, and the KL to the reference. */
export const REWARD_CURVES: CurveKind = { name: 'rewards', match: /^(reward|rewards\/.+\/mean|kl)$/, axis: 'reward / KL' };

/** Every numeric metric whose name says it is a loss, per step; eval losses as their own series. */
export function lossSeries(records: readonly MetricRecord[], stage: string, kind: CurveKind = LOSS_CURVES): Point[] {
  const points: Point[] = [];
  for (const r of records) {
    if (r.stage !== stage || typeof r.step !== 'number') continue;
    for (const [key, value] of Object.entries(r)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || !kind.match.test(key)) continue;
      if (r.type === 'step') points.push({ step: r.step, value, series: key });
      else if (r.type === 'eval') points.push({ step: r.step, value, series: `eval ${String(r.split)} ${key}` });
    }
  }
  return points;
}

/**
 * Step losses of small batches are noisy enough to hide a trend, so each term is drawn raw
 * (faint) and as a trailing mean over about a twentieth of the run (solid), as TensorBoard's
 * smoothing does; evaluation points are dots.
 */
function chartSpec(stage: string, points: Point[], kind: CurveKind): TopLevelSpec {
  const lastStep = points.reduce((max, p) => Math.max(max, p.step), 0);
  const window = Math.max(1, Math.round(lastStep / 20));
  const stepLines = "indexof(datum.series, 'eval ') !== 0";
  const color = { field: 'series', type: 'nominal', title: 'term', legend: { labelLimit: 320 } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${stage}: ${kind.name}${window > 1 ? ` (solid: mean of the last ${window} steps)` : ''}`,
    width: 640,
    height: 320,
    background: 'white',
    data: { values: points },
    layer: [
      {
        transform: [{ filter: stepLines }],
        mark: { type: 'line', strokeWidth: 1, opacity: window > 1 ? 0.25 : 1 },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step' },
          y: { field: 'value', type: 'quantitative', title: kind.axis, scale: { zero: false } },
          color,
        },
      },
      {
        transform: [
          { filter: stepLines },
          { window: [{ op: 'mean', field: 'value', as: 'smoothed' }], frame: [-(window - 1), 0], groupby: ['series'], sort: [{ field: 'step' }] },
        ],
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: { field: 'step', type: 'quantitative' },
          y: { field: 'smoothed', type: 'quantitative' },
          color,
        },
      },
      {
        transform: [{ filter: "indexof(datum.series, 'eval ') === 0" }],
        mark: { type: 'point', filled: true, size: 50 },
        encoding: {
          x: { field: 'step', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative' },
          color,
        },
      },
    ],
  };
}

// Vega, Vega-Lite and sharp are heavy; they load when a plot is drawn, not with `attune/train`.
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes `<base>.svg` and `<base>.png` (144 dpi) of a Vega-Lite spec; returns both paths. */
export async function writeFigure(base: string, spec: TopLevelSpec): Promise<string[]> {
  const svg = await renderSvg(spec);
  await writeFileAtomic(`${base}.svg`, svg);
  const { default: sharp } = await import('sharp');
  await writeFileAtomic(`${base}.png`, await sharp(Buffer.from(svg), { density: 144 }).png().toBuffer());
  return [`${base}.svg`, `${base}.png`];
}

/**
 * Writes `plots/<stage>-losses.svg` and `.png` for every stage with loss metrics, and
 * `plots/<stage>-rewards.*` for every stage that logged rewards (rollout stages); returns the files.
 */
export async function writeLossCurves(runDir: string): Promise<string[]> {
  const records = readMetrics(join(runDir, 'metrics.jsonl'));
  const stages = [...new Set(records.map((r) => r.stage).filter((s): s is string => typeof s === 'string'))];
  const written: string[] = [];
  for (const stage of stages) for (const kind of [LOSS_CURVES, REWARD_CURVES]) {
    const points = lossSeries(records, stage, kind);
    if (points.length === 0) continue;
    written.push(...(await writeFigure(join(runDir, 'plots', `${stage}-${kind.name}`), chartSpec(stage, points, kind))));
  }
  return written;
}
