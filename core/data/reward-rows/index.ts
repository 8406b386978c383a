/** Reward-model training rows from canonical examples (scores, classes, relevance pairs, preferences). */
export type { PairRow, PointRow, PointTask, RewardInput, RewardRows } from './rows.js';
export { exampleText, labelAt, lastUserContent } from './example-text.js';
export { classRows, scoreRows } from './point-rows.js';
export { relevanceRows } from './relevance-pairs.js';
export type { RelevanceOptions } from './relevance-pairs.js';
export { preferenceRows } from './preference-rows.js';
export { conversationPrompts } from './conversation-prompts.js';
export type { ConversationPromptOptions } from './conversation-prompts.js';
export { warmupReasoning, xmlWarmupExamples } from './xml-warmup.js';
