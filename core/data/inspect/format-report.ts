/** Renders split reports as Markdown, for the terminal and for `data_report.md`. */
import type { LengthStats } from './length-stats.js';
import type { SplitReport } from './inspect-split.js';

function distribution(table: Record<string, number>, limit = 12): string {
  const total = Object.values(table).reduce((s, v) => s + v, 0);
  const rows = Object.entries(table).sort((a, b) => b[1] - a[1]);
  const shown = rows.slice(0, limit).map(([k, v]) => `${k} ${v} (${((100 * v) / total).toFixed(1)}%)`);
  return shown.join(', ') + (rows.length > limit ? `, … ${rows.length - limit} more` : '');
}

function histogram(stats: LengthStats): string[] {
  const peak = Math.max(1, ...stats.histogram.map((b) => b.count));
  return stats.histogram.map((b) => `    ≤${String(b.upTo).padStart(5)} ${'█'.repeat(Math.round((24 * b.count) / peak)).padEnd(24)} ${b.count}`);
}

export function formatSplitReport(report: SplitReport): string {
  const lines = [`### ${report.source} — ${report.split}: ${report.examples} examples`, ''];
  for (const warning of report.warnings) lines.push(`- WARNING: ${warning}`);
  lines.push(`- kinds: ${distribution(report.kinds)}`);
  lines.push(`- messages per example: mean ${report.messagesPerExample.mean.toFixed(1)}, max ${report.messagesPerExample.max}`);
  for (const [name, table] of Object.entries(report.labels)) lines.push(`- ${name}: ${distribution(table)}`);
  for (const [name, s] of Object.entries(report.scores)) lines.push(`- score ${name}: mean ${s.mean.toFixed(3)}, range ${s.min}–${s.max}`);
  const bad = report.badRows;
  lines.push(`- bad rows skipped: ${bad.count}${bad.byReason.map((r) => `\n    - ${r.count} × ${r.reason} (e.g. ${r.examples.join(', ')})`).join('')}`);
  const leaks = Object.entries(report.leakage.leaks);
  lines.push(
    `- leakage check over ${report.leakage.examplesChecked} examples: ${leaks.length === 0 ? 'clean' : `LEAKS ${leaks.map(([k, v]) => `${k} ×${v}`).join(', ')}`}` +
      (report.leakage.exposed.length ? ` (exposed on purpose: ${report.leakage.exposed.join(', ')})` : '') +
      (Object.keys(report.leakage.echoed).length
        ? `; speakers retell their own ${Object.entries(report.leakage.echoed).map(([k, v]) => `${k} in ${v} examples`).join(', ')} (data, not a leak)`
        : ''),
  );
  if (report.tokens) {
    const t = report.tokens;
    lines.push(`- tokens (chat template): mean ${t.mean.toFixed(1)}, p50 ${t.p50}, p90 ${t.p90}, p99 ${t.p99}, max ${t.max}`, '', '```', ...histogram(t), '```');
  }
  lines.push('', 'samples (role: characters):');
  for (const s of report.samples) lines.push(`    ${s.id}: ${formatTurns(s.turns)}`);
  return `${lines.join('\n')}\n`;
}

/** Long dialogues show their opening and their end (where the target turn is). */
function formatTurns(turns: { role: string; chars: number }[]): string {
  const shown = turns.map((t) => `${t.role}:${t.chars}`);
  if (shown.length <= 8) return shown.join(' → ');
  return [...shown.slice(0, 2), `… ${shown.length - 6} turns …`, ...shown.slice(-4)].join(' → ');
}
