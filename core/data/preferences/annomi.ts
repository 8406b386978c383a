/**
 * AnnoMI preference pairs: a therapist turn from a high-quality MI session is chosen over a
 * therapist turn from a low-quality session that answers a comparable client turn.
 *
 * Method. AnnoMI rates whole sessions (`mi_quality`), not turns, and no client utterance
 * occurs in both a high- and a low-quality session, so true "same prompt, two replies" pairs
 * do not exist. We approximate them. For each low-quality therapist turn L (every-turn
 * examples from the `annomi` source), the candidates H are the high-quality therapist turns
 * of the same split that
 *   1. answer a client turn of the same `client_talk_type` (change / neutral / sustain), and
 *   2. come from a session whose topic shares at least one topic with L's (topics such as
 *      "smoking cessation; reducing alcohol consumption" are split at ';'),
 * and whose reply and L's reply both have at least `minReplyWords` words (so backchannels such
 * as "Mm-hmm." are not compared), and whose preceding client turns both have at least
 * `minContextWords` content words (two bare "Sure."s are not comparable contexts). Among them the one whose preceding client turn is most
 * similar to L's preceding client turn (Jaccard overlap of content words) is taken, if the
 * similarity reaches `minSimilarity`; ties go to a seeded hash. Each H serves at most
 * `maxUsesPerChosen` pairs, so a few generic high-quality replies do not dominate. The prompt
 * is H's own context (the high-quality session up to its client turn), chosen = H's reply,
 * rejected = L's reply, margin = 1 (one quality level). Pairs never cross splits.
 *
 * Limits, honestly:
 * - The rejected reply was written for a different (only lexically similar) client turn, so a
 *   model may learn "on-topic vs off-topic" as much as "good vs poor MI".
 * - Session quality is not turn quality: many turns in low-quality sessions are fine, and
 *   some in high-quality sessions are not; the labels are noisy at turn level.
 * - There are only 23 low-quality sessions (860 utterances), several of them deliberately bad
 *   demonstrations, so pairs are few and stylistically homogeneous.
 * - Word overlap ignores meaning (negation, paraphrase); topic labels are coarse.
 * - With the default split (seed 0) the validation split has no topic-matched pair at all.
 */
import { knownLabels } from '../known-labels.js';
import type { CanonicalExample } from '../example.js';
import { seededRank } from '../formats/sample.js';
import { contentWords, jaccard, wordCount } from './token-overlap.js';

export interface AnnomiPairOptions {
  /** Smallest Jaccard overlap of the two preceding client turns (default 0.1). */
  minSimilarity?: number;
  /** Replies shorter than this many words are never paired (default 4). */
  minReplyWords?: number;
  /** Preceding client turns with fewer content words are never compared (default 3). */
  minContextWords?: number;
  /** How many pairs one high-quality turn may be chosen in (default 1). */
  maxUsesPerChosen?: number;
  /** Require the same therapist behaviour (question, reflection, …) on both sides (default false). */
  sameBehaviour?: boolean;
  seed?: number;
}

interface Turn {
  example: CanonicalExample;
  reply: string;
  clientWords: Set<string>;
  topics: Set<string>;
  talkType: string;
}

export function annomiPreferencePairs(examples: readonly CanonicalExample[], options: AnnomiPairOptions = {}): CanonicalExample[] {
  const minSimilarity = options.minSimilarity ?? 0.1;
  const minReplyWords = options.minReplyWords ?? 4;
  const minContextWords = options.minContextWords ?? 3;
  const maxUses = options.maxUsesPerChosen ?? 1;
  const seed = options.seed ?? 0;
  const high: Turn[] = [];
  const low: Turn[] = [];
  for (const example of examples) {
    const turn = describe(example);
    if (!turn || wordCount(turn.reply) < minReplyWords || turn.clientWords.size < minContextWords) continue;
    (knownLabels(example).miQuality === 'high' ? high : low).push(turn);
  }

  const uses = new Map<Turn, number>();
  const pairs: CanonicalExample[] = [];
  for (const rejected of low) {
    let best: { turn: Turn; similarity: number; rank: string } | undefined;
    for (const chosen of high) {
      if (!comparable(chosen, rejected, options.sameBehaviour ?? false) || (uses.get(chosen) ?? 0) >= maxUses) continue;
      const similarity = jaccard(chosen.clientWords, rejected.clientWords);
      if (similarity < minSimilarity) continue;
      const rank = seededRank(seed, `${chosen.example.id}>${rejected.example.id}`);
      if (!best || similarity > best.similarity || (similarity === best.similarity && rank < best.rank)) best = { turn: chosen, similarity, rank };
    }
    if (!best) continue;
    uses.set(best.turn, (uses.get(best.turn) ?? 0) + 1);
    pairs.push(toPair(best.turn, rejected, best.similarity));
  }
  return pairs;
}

function describe(example: CanonicalExample): Turn | undefined {
  const reply = example.messages.at(-1);
  const client = example.messages.at(-2);
  const talkType = example.metadata.clientTalkType;
  if (example.kind !== 'dialogue' || reply?.role !== 'assistant' || client?.role !== 'user' || typeof talkType !== 'string') return undefined;
  if (knownLabels(example).miQuality === undefined) {
    throw new Error(`annomiPreferencePairs needs annomi examples with labels.miQuality; ${example.id} has none.`);
  }
  const topics = new Set(String(example.metadata.topic ?? '').split(';').map((t) => t.trim().toLowerCase()).filter(Boolean));
  return { example, reply: reply.content, clientWords: contentWords(client.content), topics, talkType };
}

function comparable(chosen: Turn, rejected: Turn, sameBehaviour: boolean): boolean {
  if (chosen.example.provenance.split !== rejected.example.provenance.split) return false;
  if (chosen.talkType !== rejected.talkType || chosen.reply === rejected.reply) return false;
  if (sameBehaviour && knownLabels(chosen.example).miBehaviour !== knownLabels(rejected.example).miBehaviour) return false;
  for (const topic of chosen.topics) if (rejected.topics.has(topic)) return true;
  return false;
}

function toPair(chosen: Turn, rejected: Turn, similarity: number): CanonicalExample {
  const { provenance } = chosen.example;
  const metadata: CanonicalExample['metadata'] = {
    clientTalkType: chosen.talkType,
    similarity: Math.round(similarity * 1000) / 1000,
    rejectedTranscript: String(rejected.example.provenance.dialogId),
    rejectedTurn: rejected.example.provenance.turn ?? -1,
  };
  const topic = chosen.example.metadata.topic;
  if (topic !== undefined) metadata.topic = topic;
  for (const [side, turn] of [['chosen', chosen], ['rejected', rejected]] as const) {
    const behaviour = knownLabels(turn.example).miBehaviour;
    if (behaviour) metadata[`${side}Behaviour`] = behaviour;
  }
  return {
    id: `${provenance.source}:${provenance.split}:${provenance.dialogId}:${provenance.turn}-vs-${rejected.example.provenance.dialogId}.${rejected.example.provenance.turn}`,
    kind: 'preference',
    messages: chosen.example.messages.slice(0, -1),
    labels: {},
    preference: { chosen: chosen.reply, rejected: rejected.reply, margin: 1 },
    metadata,
    provenance,
  };
}
