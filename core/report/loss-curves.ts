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
  /** The metric the point belongs to (an eval point's term is the training series it matches). */
  term: string;
  /** `train`, or `eval <split>`. */
  kind: string;
}

/** Tableau 10 plus its light tints: enough distinct colours for every term a chart draws. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#a0cbe8', '#ffbe7d', '#ff9d9a', '#86bcb6', '#8cd17d', '#f1ce63', '#d4a6c8', '#fabfd2', '#d7b5a6', '#79706e'];

/**
 * A term's colour from its name alone (FNV-1a into the palette), so `loss_lm` is drawn in the
 * same colour in every run and every chart, whatever other terms are there.
 */
/** The terms every run draws get fixed, well-separated colours; others hash into the palette. */
const KNOWN: Record<string, string> = {
  loss: '#4e79a7',
  loss_lm: '#f28e2b',
  loss_emotion: '#59a14f',
  loss_strategy: '#b07aa1',
  loss_safety_kl: '#e15759',
  reward: '#4e79a7',
  kl: '#e15759',
  lr: '#79706e',
  grad_norm: '#4e79a7',
};

export function termColour(term: string): string {
  const known = KNOWN[term];
  if (known) return known;
  let h = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) h = Math.imul(h ^ term.charCodeAt(i), 0x01000193) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

function colourScale(points: readonly Point[]) {
  const terms = [...new Set(points.map((p) => p.term))].sort();
  return { field: 'term', type: 'nominal', title: 'term', scale: { domain: terms, range: terms.map(termColour) }, legend: { labelLimit: 320 } } as const;
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
      if (r.type === 'step') points.push({ step: r.step, value, series: key, term: key, kind: 'train' });
      else if (r.type === 'eval') points.push({ step: r.step, value, series: `eval ${String(r.split)} ${key}`, term: key, kind: `eval ${String(r.split)}` });
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
  // Colour is the term, so an eval point wears its training series' colour; its shape says which split.
  const color = colourScale(points);
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
        mark: { type: 'point', filled: true, size: 60, stroke: 'black', strokeWidth: 0.5 },
        encoding: {
          x: { field: 'step', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative' },
          color,
          shape: { field: 'kind', type: 'nominal', title: 'evaluation' },
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

/** Learning rate and gradient norm per step, one panel each (what to look at when a loss jumps). */
function optimizerSpec(stage: string, records: readonly MetricRecord[]): TopLevelSpec | null {
  const values = records.flatMap((r) =>
    r.stage === stage && r.type === 'step' && typeof r.step === 'number'
      ? (['lr', 'grad_norm'] as const).flatMap((k) => (typeof r[k] === 'number' && Number.isFinite(r[k]) ? [{ step: r.step as number, metric: k, value: r[k] as number }] : []))
      : [],
  );
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${stage}: learning rate and gradient norm`,
    background: 'white',
    data: { values },
    facet: { row: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 640,
      height: 140,
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'metric', type: 'nominal', scale: { domain: ['lr', 'grad_norm'], range: [termColour('lr'), termColour('grad_norm')] }, legend: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
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
  for (const stage of stages) {
    const spec = optimizerSpec(stage, records);
    if (spec) written.push(...(await writeFigure(join(runDir, 'plots', `${stage}-optimizer`), spec)));
  }
  return written;
}

/**
 * The sweep's comparison as a chart beside comparison.md: every metric all completed configs
 * report, one small panel each (their scales differ), one bar per config.
 */
export async function writeSweepComparison(base: string, results: readonly { name: string; status: string; metrics: Record<string, number> }[]): Promise<string[]> {
  const done = results.filter((r) => r.status === 'completed');
  if (done.length === 0) return [];
  const shared = Object.keys(done[0]!.metrics).filter((k) => done.every((r) => Number.isFinite(r.metrics[k])));
  if (shared.length === 0) return [];
  const values = done.flatMap((r) => shared.map((metric) => ({ config: r.name, metric, value: r.metrics[metric]! })));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'sweep: final metrics per config',
    background: 'white',
    data: { values },
    facet: { field: 'metric', type: 'nominal', title: null },
    columns: 4,
    spec: {
      width: Math.max(120, done.length * 28),
      height: 120,
      mark: 'bar',
      encoding: {
        x: { field: 'config', type: 'nominal', title: null, sort: done.map((r) => r.name) },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'config', type: 'nominal', scale: { domain: done.map((r) => r.name), range: done.map((r) => termColour(r.name)) }, legend: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
  return writeFigure(base, spec);
}
