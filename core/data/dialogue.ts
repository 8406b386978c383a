/**
 * Multi-turn expansion: a dialogue becomes one training example per helper turn
 * (listener, supporter, therapist), each with the history that preceded it.
 */
import type { Message } from './example.js';

export interface DialogueTurn<Extra = unknown> {
  /** `helper` turns become assistant targets; `client` turns are user messages. */
  speaker: 'client' | 'helper';
  text: string;
  /** 0-based index of the turn in the original dialogue. */
  index: number;
  /** Whatever the source wants back with the expanded example (labels of this turn …). */
  extra?: Extra;
}

export type ExpansionMode = 'every-helper-turn' | 'last-helper-turn';

export interface ExpansionOptions {
  mode: ExpansionMode;
  /** Keep only the latest N turns of history (0 = all). Token-level truncation happens later. */
  maxHistoryTurns?: number;
  /** Skip helper turns that open the dialogue (no client message before them). */
  requireClientTurnBefore?: boolean;
}

export interface ExpandedTurn<Extra = unknown> {
  /** History (user/assistant alternating as in the source) ending with the target assistant turn. */
  messages: Message[];
  target: DialogueTurn<Extra>;
  /** The client turn immediately before the target, if any (for labels about the user's latest turn). */
  lastClientTurn?: DialogueTurn<Extra>;
}

/**
 * Consecutive turns by the same speaker are merged (joined by a newline) so roles alternate,
 * which chat templates of most models require.
 */
export function expandDialogue<Extra>(turns: DialogueTurn<Extra>[], options: ExpansionOptions): ExpandedTurn<Extra>[] {
  const merged = mergeConsecutive(turns);
  const out: ExpandedTurn<Extra>[] = [];
  for (let i = 0; i < merged.length; i++) {
    const target = merged[i]!;
    if (target.speaker !== 'helper') continue;
    const history = merged.slice(0, i);
    const lastClientTurn = [...history].reverse().find((t) => t.speaker === 'client');
    if ((options.requireClientTurnBefore ?? true) && !lastClientTurn) continue;
    const kept = options.maxHistoryTurns ? history.slice(-options.maxHistoryTurns) : history;
    const messages: Message[] = [...kept, target].map((t) => ({
      role: t.speaker === 'helper' ? 'assistant' : 'user',
      content: t.text,
    }));
    // A chat must open with the user: drop a leading assistant turn left by history trimming.
    while (messages.length > 1 && messages[0]!.role === 'assistant') messages.shift();
    out.push(lastClientTurn ? { messages, target, lastClientTurn } : { messages, target });
  }
  if (options.mode === 'last-helper-turn') return out.slice(-1);
  return out;
}

function mergeConsecutive<Extra>(turns: DialogueTurn<Extra>[]): DialogueTurn<Extra>[] {
  const merged: DialogueTurn<Extra>[] = [];
  for (const turn of turns) {
    const text = turn.text.trim();
    if (!text) continue;
    const last = merged[merged.length - 1];
    if (last && last.speaker === turn.speaker) {
      // The later turn's labels win: they describe the text closest to what follows.
      merged[merged.length - 1] = { ...turn, index: last.index, text: `${last.text}\n${text}`, extra: turn.extra ?? last.extra };
    } else {
      merged.push({ ...turn, text });
    }
  }
  return merged;
}
