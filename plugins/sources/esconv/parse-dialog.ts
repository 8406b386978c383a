/**
 * One ESConv dialog object (either release's turn format) → dialogue turns labelled with
 * the normalized strategy, plus the dialog-level metadata. A turn the source cannot trust
 * (unknown speaker, empty text, missing or unknown strategy) makes the dialog a bad row.
 */
import { esconvStrategies, normalizeEsconvStrategy } from 'attune/data';
import type { DialogueTurn, RowIssueCollector, SourceRecord } from 'attune/data';

export interface StrategyLabel {
  strategy: string;
}

export interface ParsedDialog {
  turns: DialogueTurn<StrategyLabel>[];
  metadata: Record<string, string | number>;
}

/** HF files say usr/sys, ESConv.json seeker/supporter, FailedESConv.json speaker/listener. */
const roles: Record<string, 'client' | 'helper'> = {
  usr: 'client',
  seeker: 'client',
  speaker: 'client',
  sys: 'helper',
  supporter: 'helper',
  listener: 'helper',
};

export function parseDialog({ file, row, value }: SourceRecord<Record<string, unknown>>, issues: RowIssueCollector): ParsedDialog | undefined {
  const bad = (field: string, reason: string): undefined => {
    issues.report({ file, row, field, reason });
    return undefined;
  };
  if (!Array.isArray(value.dialog) || value.dialog.length === 0) return bad('dialog', 'missing or empty dialog list');
  const turns: DialogueTurn<StrategyLabel>[] = [];
  for (const [index, raw] of (value.dialog as unknown[]).entries()) {
    const field = `dialog[${index}]`;
    if (typeof raw !== 'object' || raw === null) return bad(field, 'turn is not an object');
    const turn = raw as Record<string, unknown>;
    const speaker = roles[String(turn.speaker)];
    if (!speaker) return bad(`${field}.speaker`, `unknown speaker '${String(turn.speaker)}' (expected ${Object.keys(roles).join(', ')})`);
    const text = typeof turn.text === 'string' ? turn.text : typeof turn.content === 'string' ? turn.content : '';
    if (!text.trim()) return bad(`${field}.text`, 'empty text');
    if (speaker === 'client') {
      turns.push({ speaker, text, index });
      continue;
    }
    const annotation = typeof turn.annotation === 'object' && turn.annotation !== null ? (turn.annotation as Record<string, unknown>) : {};
    const rawStrategy = turn.strategy ?? annotation.strategy;
    if (typeof rawStrategy !== 'string') return bad(`${field}.strategy`, 'supporter turn without a strategy');
    const strategy = normalizeEsconvStrategy(rawStrategy);
    if (!strategy) return bad(`${field}.strategy`, `unknown strategy '${rawStrategy}' (expected one of ${esconvStrategies.join(', ')} or a known variant spelling)`);
    turns.push({ speaker, text, index, extra: { strategy } });
  }
  return { turns, metadata: dialogMetadata(value) };
}

function dialogMetadata(value: Record<string, unknown>): Record<string, string | number> {
  const metadata: Record<string, string | number> = {};
  for (const key of ['emotion_type', 'problem_type', 'experience_type', 'situation']) {
    const v = value[key];
    if (typeof v === 'string' && v.trim()) metadata[key] = v.trim();
  }
  // Survey answers are strings "1".."5" in both releases; 150 dialogs lack all but one.
  const survey = (value.survey_score ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const role of ['seeker', 'supporter']) {
    for (const [key, raw] of Object.entries(survey[role] ?? {})) {
      const score = Number(raw);
      if (raw !== '' && raw !== null && Number.isFinite(score)) metadata[`${role}_${key}`] = score;
    }
  }
  return metadata;
}
