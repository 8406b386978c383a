/**
 * Completion records of a multi-stage run, `<run>/stages/<stage>.json`: written atomically once a
 * stage's outputs are all in place, so that a resumed run — or a new run started `--from-stage` a
 * later stage — knows the stage is done and reuses its outputs instead of training it again.
 * Paths in a record are relative to the run directory, so a copied stage stays valid.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { AttuneError } from '../../base/errors.js';
import { writeJsonAtomic } from '../../base/atomic-write.js';
import type { TrainerResult } from '../extension-points/trainer.js';

export const STAGE_RECORDS_DIR = 'stages';

export interface StageRecord {
  readonly version: 1;
  readonly stage: string;
  readonly steps: number;
  readonly metrics: Record<string, number>;
  /** The stage's outputs (adapter folder, merged model …), relative to the run directory. */
  readonly artifactsDir?: string;
  readonly completedAt: string;
}

export const stageRecordPath = (runDir: string, stage: string): string => join(runDir, STAGE_RECORDS_DIR, `${stage}.json`);

/** The record of a completed stage, or undefined when the stage has not completed in `runDir`. */
export function readStageRecord(runDir: string, stage: string): StageRecord | undefined {
  const file = stageRecordPath(runDir, stage);
  if (!existsSync(file)) return undefined;
  let record: StageRecord;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as StageRecord;
  } catch (error) {
    throw new AttuneError(`${file}: not valid JSON (${(error as Error).message}).`, `Delete it to train stage '${stage}' again.`);
  }
  if (record.version !== 1 || record.stage !== stage || !Number.isSafeInteger(record.steps)) {
    throw new AttuneError(`${file}: not a completion record of stage '${stage}' (version ${String(record.version)}, stage ${String(record.stage)}).`, `Delete it to train stage '${stage}' again.`);
  }
  return record;
}

/** Records `stage` as completed with `result`'s outputs; returns the record. */
export async function writeStageRecord(runDir: string, stage: string, result: Omit<TrainerResult, 'interrupted'>): Promise<StageRecord> {
  const record: StageRecord = {
    version: 1,
    stage,
    steps: result.steps,
    metrics: result.metrics,
    ...(result.artifactsDir ? { artifactsDir: isAbsolute(result.artifactsDir) ? relative(runDir, result.artifactsDir) : result.artifactsDir } : {}),
    completedAt: new Date().toISOString(),
  };
  await writeJsonAtomic(stageRecordPath(runDir, stage), record);
  return record;
}
