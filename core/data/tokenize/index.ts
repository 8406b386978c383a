export { tokenizeChat, tokenizePrompt } from './tokenize-chat.js';
export type { ChatTokenizeOptions, ChatTokenizeResult, TokenizedChat } from './tokenize-chat.js';
export { tokenizeExamples } from './tokenize-examples.js';
export type { ConversationItem, TokenizedItem, TokenizeStats, TokenizeExamplesOptions } from './tokenize-examples.js';
export type { ChatEncoder } from './chat-encoder.js';
export { ChatTokenizeError } from './errors.js';
