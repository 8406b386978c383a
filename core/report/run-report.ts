/**
 * `attune report <run dir>`: the run as a Markdown file and one self-contained HTML file (images
 * inlined as data URIs) — the run's headline, its loss and reward curves, and when it holds an
 * evaluation (`evaluation/metrics.json`): metric tables and bars per evaluator with every subject
 * side by side, reply length distributions, side-by-side sample replies, and the red-team table.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../base/atomic-write.js';
import { readEvaluation } from '../train/evaluation.js';
import type { SavedEvaluation } from '../train/evaluation.js';
import { writeFigure } from './loss-curves.js';

const SAMPLES = 5;
/** Metrics drawn as bars: rates, accuracies, F1, overlap and diversity scores, the empathy score. */
const BARRED = /(rate|accuracy|macro_f1|bleu_\d|rouge_l|distinct_\d|empathy|percent_\w+)$/;

interface Figure {
  readonly title: string;
  /** The PNG, for the HTML's data URI and the Markdown's link. */
  readonly png: string;
}

const escapeHtml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
const escapeMd = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
/** A metric in a table: — when absent, n/a when undefined (NaN), integers as they are, else 4 decimals. */
export const formatMetric = (v: number | undefined): string => (v === undefined ? '—' : Number.isNaN(v) ? 'n/a' : Number.isInteger(v) ? String(v) : v.toFixed(4));

function barSpec(evaluator: string, rows: readonly SavedEvaluation[]): Record<string, unknown> | null {
  // Rates and scores in [0, 1] share one axis; counts, flags and unbounded scores stay in the tables.
  const values = rows.flatMap((r) => Object.entries(r.metrics).filter(([k, v]) => BARRED.test(k) && Number.isFinite(v) && v >= 0 && v <= 1).map(([metric, value]) => ({ metric: metric.split('.').slice(1).join('.'), subject: r.subject, value })));
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: evaluator,
    background: 'white',
    data: { values },
    width: { step: 14 },
    height: 180,
    mark: 'bar',
    encoding: {
      x: { field: 'metric', type: 'nominal', title: null, axis: { labelAngle: -40 } },
      xOffset: { field: 'subject' },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: null },
      color: { field: 'subject', type: 'nominal' },
    },
  };
}

function lengthSpec(rows: readonly SavedEvaluation[]): Record<string, unknown> | null {
  const values = rows.flatMap((r) => r.items.filter((i) => i.meta.head === undefined).map((i) => ({ subject: r.subject, words: i.response.trim() === '' ? 0 : i.response.trim().split(/\s+/).length })));
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'reply length (words)',
    background: 'white',
    data: { values },
    width: 420,
    height: 160,
    mark: { type: 'bar', opacity: 0.6 },
    encoding: {
      x: { field: 'words', type: 'quantitative', bin: { maxbins: 30 }, title: 'words' },
      y: { aggregate: 'count', type: 'quantitative', stack: null, title: 'replies' },
      color: { field: 'subject', type: 'nominal' },
    },
  };
}

export async function writeRunReport(runDir: string): Promise<{ markdown: string; html: string }> {
  const manifestFile = join(runDir, 'run_manifest.json');
  const manifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>) : {};
  const title = `${String(manifest.recipe ?? 'run')} — ${runDir.split('/').filter(Boolean).pop()}`;
  const md: string[] = [`# ${title}`, ''];
  const html: string[] = [];
  const figures: Figure[] = [];
  const section = (heading: string) => {
    md.push(`## ${heading}`, '');
    html.push(`<h2>${escapeHtml(heading)}</h2>`);
  };
  const image = (figure: Figure) => {
    figures.push(figure);
    md.push(`![${figure.title}](${relative(runDir, figure.png)})`, '');
    html.push(`<figure><img alt="${escapeHtml(figure.title)}" src="data:image/png;base64,${readFileSync(figure.png).toString('base64')}"><figcaption>${escapeHtml(figure.title)}</figcaption></figure>`);
  };
  const table = (head: string[], rows: string[][]) => {
    md.push(`| ${head.map(escapeMd).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(escapeMd).join(' | ')} |`), '');
    html.push(`<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
  };
  const paragraph = (text: string) => {
    md.push(text, '');
    html.push(`<p>${escapeHtml(text)}</p>`);
  };

  // A recipe writes its report before the run is marked finished: its status then says nothing.
  const status = manifest.status && manifest.status !== 'running' ? `status ${String(manifest.status)}, ` : '';
  paragraph(`${status}started ${String(manifest.startedAt ?? manifest.createdAt ?? '?')}, model ${String((manifest.config as Record<string, unknown> | undefined)?.model ?? '?')}`);
  const headline = manifest.metrics as Record<string, number> | undefined;
  if (headline && Object.keys(headline).length) table(['metric', 'value'], Object.entries(headline).map(([k, v]) => [k, formatMetric(v)]));

  const plots = join(runDir, 'plots');
  const curves = existsSync(plots) ? readdirSync(plots).filter((f) => f.endsWith('.png')).sort() : [];
  if (curves.length) {
    section('Training curves');
    for (const f of curves) image({ title: f.replace(/\.png$/, ''), png: join(plots, f) });
  }

  const evaluation = readEvaluation(join(runDir, 'evaluation'));
  if (evaluation.length) {
    const reportDir = join(runDir, 'report');
    const subjects = [...new Set(evaluation.map((e) => e.subject))];
    for (const evaluator of [...new Set(evaluation.map((e) => e.evaluator))]) {
      const rows = evaluation.filter((e) => e.evaluator === evaluator);
      section(`Evaluation: ${evaluator}`);
      const keys = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
      table(['metric', ...subjects], keys.map((k) => [k, ...subjects.map((s) => formatMetric(rows.find((r) => r.subject === s)?.metrics[k]))]));
      for (const r of rows) for (const note of r.notes) paragraph(`${r.subject}: ${note}`);
      const bars = barSpec(evaluator, rows);
      if (bars) {
        const [, png] = await writeFigure(join(reportDir, `${evaluator.split('/').pop()}-metrics`), bars as never);
        image({ title: `${evaluator}: rates and scores in [0, 1]`, png: png! });
      }
      for (const r of rows) for (const svg of r.figures) image({ title: `${r.subject}: ${svg.split('/').pop()!.replace(/\.svg$/, '')}`, png: svg.replace(/\.svg$/, '.png') });

      if (evaluator.endsWith('/red-team')) {
        const ids = [...new Set(rows.flatMap((r) => r.items.map((i) => i.prompt_id)))];
        const cell = (r: SavedEvaluation | undefined, id: string) => {
          const item = r?.items.find((i) => i.prompt_id === id);
          return item ? `${item.meta.pass ? 'pass' : 'FAIL'}${item.intervention ? ` (${item.intervention.kind})` : ''}` : '—';
        };
        table(['prompt', 'probe', 'expected', ...subjects], ids.map((id) => {
          const first = rows.flatMap((r) => r.items).find((i) => i.prompt_id === id)!;
          return [first.prompt.slice(0, 80), String(first.meta.probe ?? ''), String(first.meta.expected ?? ''), ...subjects.map((s) => cell(rows.find((r) => r.subject === s), id))];
        }));
      }
    }
    const conversational = evaluation.filter((e) => e.items.length && e.items[0]!.meta.head === undefined && !e.evaluator.endsWith('/eq-bench'));
    const lengths = lengthSpec(conversational);
    if (lengths) {
      section('Reply lengths');
      const [, png] = await writeFigure(join(reportDir, 'reply-lengths'), lengths as never);
      image({ title: 'reply length (words) per subject', png: png! });
    }
    const sampled = conversational.find((e) => evaluation.filter((x) => x.evaluator === e.evaluator).length > 1) ?? conversational[0];
    if (sampled) {
      section(`Sample replies (${sampled.evaluator})`);
      const peers = evaluation.filter((x) => x.evaluator === sampled.evaluator);
      for (const item of sampled.items.slice(0, SAMPLES)) {
        table(['', 'reply'], [['prompt', item.prompt.slice(0, 300)], ...peers.map((p) => [p.subject, p.items.find((i) => i.prompt_id === item.prompt_id)?.response ?? '—'])]);
      }
    }
  }

  const markdown = join(runDir, 'report.md');
  const htmlFile = join(runDir, 'report.html');
  await writeFileAtomic(markdown, `${md.join('\n')}\n`);
  const style = 'body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1d2330}table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #dde1e7;padding:.25rem .5rem;font-size:.85rem;vertical-align:top;text-align:left}figure{margin:1rem 0}img{max-width:100%}figcaption{font-size:.8rem;color:#4a5366}';
  await writeFileAtomic(htmlFile, `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${style}</style></head><body><h1>${escapeHtml(title)}</h1>\n${html.join('\n')}\n</body></html>\n`);
  return { markdown, html: htmlFile };
}
