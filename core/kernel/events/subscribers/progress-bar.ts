/**
 * A progress bar per stage with ETA and throughput (tokens/s, samples/s) and the latest
 * losses. On a terminal it redraws in place; elsewhere (CI, `| tee`) cli-progress prints a
 * line at a fixed interval instead.
 */
import cliProgress from 'cli-progress';
import type { EventBus } from '../event-bus.js';

const THROUGHPUT_WINDOW = 20;

function compact(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return `${(value / 1000).toFixed(1)}k`;
  if (abs >= 10) return value.toFixed(1);
  return value.toPrecision(3);
}

export function attachProgressBar(bus: EventBus, stream: NodeJS.WriteStream = process.stderr): () => void {
  let bar: cliProgress.SingleBar | undefined;
  let recent: { time: number; tokens: number; samples: number }[] = [];

  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };

  const offs = [
    bus.on('stage:start', (e) => {
      stop();
      recent = [];
      if (!e.totalSteps) return;
      // Multi-stage recipes say where in the pipeline the bar is: "dpo (stage 3/4)".
      const label = e.count > 1 ? `${e.stage} (stage ${e.index + 1}/${e.count})` : e.stage;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label} |{bar}| {value}/{total} | {metrics} | {throughput} | ETA {eta_formatted}`,
          barsize: 24,
          hideCursor: false,
          noTTYOutput: !stream.isTTY,
          notTTYSchedule: 10_000,
          etaBuffer: THROUGHPUT_WINDOW,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(e.totalSteps, e.startStep ?? 0, { metrics: '', throughput: '' });
    }),
    bus.on('step', (e) => {
      if (!bar) return;
      recent.push({ time: performance.now(), tokens: e.tokens ?? 0, samples: e.samples ?? 0 });
      if (recent.length > THROUGHPUT_WINDOW) recent.shift();
      const seconds = recent.length > 1 ? (recent[recent.length - 1]!.time - recent[0]!.time) / 1000 : 0;
      const sum = (key: 'tokens' | 'samples'): number => recent.slice(1).reduce((s, r) => s + r[key], 0);
      const throughput = seconds > 0 ? `${compact(sum('tokens') / seconds)} tok/s ${compact(sum('samples') / seconds)} samples/s` : '';
      const shown = Object.entries(e.metrics)
        .filter(([k]) => k.startsWith('loss') || k === 'lr')
        .slice(0, 5)
        .map(([k, v]) => `${k} ${compact(v)}`)
        .join(' ');
      bar.update(e.step, { metrics: shown, throughput });
    }),
    bus.on('stage:end', stop),
    bus.on('run:end', stop),
    bus.on('warning', (e) => {
      // Print warnings above the bar rather than through it.
      if (bar && stream.isTTY) stream.write('\n');
      stream.write(`warning: ${e.message}\n`);
    }),
  ];
  return () => {
    stop();
    offs.forEach((off) => off());
  };
}
