/**
 * Runs a recipe: resolves it, builds and validates its config (file + overrides, or the
 * saved config of a run being resumed), creates the run directory with its manifest,
 * attaches the subscribers, handles stop signals, and records how the run ended.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { makeFolders } from '../../base/file-system-errors.js';
import { dirname, join, resolve } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, RecipeError } from '../../base/errors.js';
import { tagWithRunLog } from '../../base/unexpected-error.js';
import { EventBus } from '../events/event-bus.js';
import type { RunStatus } from '../events/event-types.js';
import { attachConsoleSummary } from '../events/subscribers/console-summary.js';
import { attachLogWriter } from '../events/subscribers/log-writer.js';
import { attachMetricsWriter, rewindMetricsFile } from '../events/subscribers/metrics-writer.js';
import { acquireRunLock } from './run-lock.js';
import { attachProgressBar } from '../events/subscribers/progress-bar.js';
import type { Kernel } from '../kernel.js';
import type { ItemEnvironment } from '../item.js';
import type { RecipeResult } from '../recipes/recipe.js';
import { defaultConfigPath, resolveRecipeConfig } from '../recipes/recipe-config.js';
import type { Override } from '../config/overrides.js';
import { writeFileAtomic } from '../../base/atomic-write.js';
import { CheckpointStore } from './checkpoint-store.js';
import { gitState, packageVersions, readManifest, writeManifest, writeManifestSync } from './manifest.js';
import type { RunManifest } from './manifest.js';
import type { RunContext } from './run-context.js';
import { handleStopSignals } from './signals.js';
import { seedFromStage } from './from-stage.js';
import type { FromStage } from './from-stage.js';
import { selectDevice } from '../../engine/device.js';
import { loadConfig } from '../config/load-config.js';
import { extendFinishedRun } from './extend-run.js';
import { withLoadWarnings } from './source-load-warnings.js';
import type { DatasetSource } from '../extension-points/dataset-source.js';
import type { ItemRef } from '../config/item-ref.js';
import type { ExtensionInstances, ExtensionKind } from '../plugins/extension-kinds.js';

export interface RunOptions {
  recipe: string;
  configFile?: string;
  overrides?: Override[];
  /** Run directory; default `runs/<recipe>-<timestamp>` under the working directory. */
  out?: string;
  /** Directory of an earlier run to continue. */
  resume?: string;
  /** Start a new run at this stage, reusing the earlier stages' outputs of another run. */
  fromStage?: FromStage;
  /** The execution provider (`--device`); default the config's `device:`, else cpu. A resumed run keeps its own. */
  device?: 'cpu' | 'cuda' | 'webgpu';
  /** Attach the terminal subscribers (progress bar, summary). Tests turn them off. */
  interactive?: boolean;
  /** Called with the bus before the run starts, e.g. to attach custom subscribers. */
  onBus?: (bus: EventBus) => void;
}

export interface RunOutcome {
  runDir: string;
  status: RunStatus;
  result?: RecipeResult;
}

const timestamp = (): string => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

export async function runRecipe(kernel: Kernel, options: RunOptions): Promise<RunOutcome> {
  const { value: recipe, ref: recipeName } = kernel.registries.recipes.resolve(options.recipe);

  let runDir: string;
  let manifest: RunManifest;
  let config: Record<string, unknown>;
  let seeded: { log: string; warning?: string } | undefined;
  if (options.resume && options.fromStage) throw new ConfigError('--resume continues a run where it stopped; --from-stage starts a new one.', 'Give one of them.');
  if (options.resume) {
    runDir = resolve(options.resume);
    const previous = readManifest(runDir);
    if (previous.recipe !== recipeName) {
      throw new RecipeError(`Cannot resume ${runDir} with recipe '${recipeName}': it is a run of '${previous.recipe}'.`, `Run: attune run ${previous.recipe} --resume ${options.resume}`);
    }
    const extending = previous.status === 'completed';
    if (extending && !options.overrides?.length) {
      throw new RecipeError(`Run ${runDir} already completed; nothing to resume.`, `Start a new run, or train it longer: attune run ${recipeName} --resume ${options.resume} --set trainer.options.steps=<more>`);
    }
    if (options.configFile || (!extending && options.overrides?.length)) {
      throw new ConfigError('--resume continues a run with its saved config; --config and --set cannot change it.', 'Start a new run to change the config (a finished run can only be trained longer: --set trainer.options.steps=<more>).');
    }
    // Re-validate the saved config against the current code: a changed schema is caught here.
    const saved = extending ? extendFinishedRun(runDir, recipeName, recipe, previous.config, options.overrides ?? []) : previous.config;
    config = resolveRecipeConfig(kernel, recipeName, recipe, { data: saved, label: `${runDir}/run_manifest.json (saved config${extending ? `, with ${(options.overrides ?? []).map((o) => o.source).join(', ')}` : ''})` });
    manifest = { ...previous, ...(extending ? { config, overrides: [...previous.overrides, ...(options.overrides ?? []).map((o) => o.source)] } : {}), status: 'running', resumedAt: [...previous.resumedAt, new Date().toISOString()], endedAt: undefined, error: undefined };
    await selectDevice(options.device ?? previous.device ?? 'cpu');
  } else {
    config = resolveRecipeConfig(kernel, recipeName, recipe, { file: options.configFile, overrides: options.overrides ?? [] });
    // Checked before the run directory exists: a missing provider leaves nothing behind.
    const device = options.device ?? loadConfig(options.configFile ? resolve(options.configFile) : defaultConfigPath(recipe)).device ?? 'cpu';
    await selectDevice(device);
    runDir = resolve(options.out ?? join('runs', `${recipeName}-${timestamp()}`));
    if (existsSync(runDir) && !statSync(runDir).isDirectory()) {
      throw new RecipeError(`Run directory ${runDir} is a file, not a folder.`, 'Choose another --out: a new or empty folder.');
    }
    if (existsSync(runDir) && readdirSync(runDir).length > 0) {
      throw new RecipeError(`Run directory ${runDir} already exists and is not empty.`, 'Choose another --out, or --resume it if it is an interrupted run.');
    }
    makeFolders(runDir, 'run directory');
    const fromStage = options.fromStage && { stage: options.fromStage.stage, run: resolve(options.fromStage.run) };
    if (fromStage) seeded = await seedFromStage(recipe, recipeName, fromStage, runDir, config);
    manifest = {
      recipe: recipeName,
      status: 'running',
      ...(device !== 'cpu' ? { device } : {}),
      seed: z.number().parse(config.seed),
      config,
      configFiles: [options.configFile ? resolve(options.configFile) : defaultConfigPath(recipe)],
      overrides: (options.overrides ?? []).map((o) => o.source),
      plugins: kernel.host.plugins(),
      git: gitState(),
      versions: packageVersions(),
      command: process.argv.slice(1),
      startedAt: new Date().toISOString(),
      resumedAt: [],
      ...(fromStage && { fromStage }),
    };
    await writeFileAtomic(join(runDir, 'config.yaml'), toYaml(config));
  }
  const lock = acquireRunLock(runDir);
  try {
    return await runLocked();
  } finally {
    lock.release();
  }

  async function runLocked(): Promise<RunOutcome> {
    // Signals are handled before the manifest says `running`, so no Ctrl-C can leave it saying so.
    const controller = new AbortController();
    const releaseSignals = handleStopSignals(
      controller,
      () => writeManifestSync(runDir, { ...manifest, status: 'interrupted', endedAt: new Date().toISOString() }),
      (text) => process.stderr.write(text),
    );
    await writeManifest(runDir, manifest);

    const bus = new EventBus();
    const detach = [attachMetricsWriter(bus, join(runDir, 'metrics.jsonl')), attachLogWriter(bus, join(runDir, 'run.log'))];
    if (options.interactive) detach.push(attachProgressBar(bus), attachConsoleSummary(bus));
    options.onBus?.(bus);
    // How each stage that ran ended: a stop signal during a stage's final eval or save does not
    // undo a stage that reached its last step.
    const stageEnds: boolean[] = [];

    // Items build the items their options reference through `env.create`; warnings name the item.
    const baseDir = manifest.configFiles[0] ? dirname(manifest.configFiles[0]) : process.cwd();
    const itemEnv = (origin: string): ItemEnvironment => ({
      baseDir,
      warn: (message) => bus.emit('warning', { message, origin }),
      create: (inner) => createInRun(inner),
    });
    // Sources, however deep, report each split's skipped rows and warnings as run warnings.
    const createInRun = async <K extends ExtensionKind>(ref: ItemRef<K>): Promise<ExtensionInstances[K]> => {
      const item = await kernel.create(ref, itemEnv(ref.use));
      if (ref.kind !== 'sources') return item;
      return withLoadWarnings(item as DatasetSource, ref.use, (message) => bus.emit('warning', { message, origin: ref.use })) as ExtensionInstances[K];
    };
    const context: RunContext = {
      recipe: recipeName,
      runDir,
      seed: manifest.seed,
      events: bus,
      signal: controller.signal,
      resumed: Boolean(options.resume),
      checkpoints: new CheckpointStore(join(runDir, 'checkpoints')),
      stage: (name) => {
        const index = recipe.stages.findIndex((s) => s.name === name);
        if (index < 0) {
          throw new RecipeError(`Recipe '${recipeName}' runs a stage '${name}' it does not declare.`, `Declared stages: ${recipe.stages.map((s) => s.name).join(', ') || '(none)'}; add it to the recipe's stages.`);
        }
        const count = recipe.stages.length;
        return {
          name,
          index,
          count,
          start: (info = {}) => bus.emit('stage:start', { stage: name, index, count, ...info }),
          end: (metrics, outcome) => {
            stageEnds.push(outcome?.interrupted ?? false);
            bus.emit('stage:end', { stage: name, ...(metrics ? { metrics } : {}) });
          },
        };
      },
      create: createInRun,
      writeArtifact: async (relativePath, data) => {
        const path = join(runDir, relativePath);
        await writeFileAtomic(path, data);
        return path;
      },
      rewindMetrics: (stage, step) => rewindMetricsFile(join(runDir, 'metrics.jsonl'), stage, step),
      log: (message) => bus.emit('log', { message }),
      warn: (message) => bus.emit('warning', { message, origin: recipeName }),
    };

    const started = performance.now();
    bus.emit('run:start', { recipe: recipeName, runDir, seed: manifest.seed, resumed: context.resumed });
    if (lock.warning) bus.emit('warning', { message: `${runDir}: ${lock.warning}`, origin: 'run' });
    if (seeded) bus.emit('log', { message: seeded.log });
    if (seeded?.warning) bus.emit('warning', { message: seeded.warning, origin: 'run' });
    let status: RunStatus = 'completed';
    let result: RecipeResult | undefined;
    let failure: unknown;
    try {
      result = await recipe.run(config, context);
      // After a stop signal the run counts as finished when the stages it ran all reached their last
      // step (a later stage started after the signal stops at once and says interrupted); a recipe
      // that ran no stage loop cannot say it finished, and is marked interrupted.
      const finished = stageEnds.length > 0 && !stageEnds.some(Boolean);
      if (controller.signal.aborted && !finished) status = 'interrupted';
    } catch (error) {
      status = controller.signal.aborted ? 'interrupted' : 'failed';
      failure = error;
    } finally {
      releaseSignals();
    }
    const errorText = failure ? (failure instanceof Error ? failure.message : String(failure)) : undefined;
    manifest = { ...manifest, status, endedAt: new Date().toISOString(), ...(errorText && { error: errorText }), ...(result && { metrics: result.metrics }) };
    await writeManifest(runDir, manifest);
    bus.emit('run:end', { status, durationMs: performance.now() - started, ...(errorText && { error: errorText }) });
    detach.forEach((off) => off());
    // An unexpected failure's trace belongs in the run's log, where the CLI points people.
    if (failure && status === 'failed') throw tagWithRunLog(failure, join(runDir, 'run.log'));
    return { runDir, status, ...(result && { result }) };
  }
}
