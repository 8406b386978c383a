/**
 * Qwen2's pre-tokenization split. The tokenizer.json carries the Oniguruma pattern the Hugging Face
 * runtimes read; training uses the same pattern in JavaScript syntax (the `(?i:...)` contraction
 * group spelled out), so the merges are learned on exactly the pieces the runtime will see.
 */
export const QWEN2_SPLIT_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const SPLIT = /'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

/** NFC-normalized pieces, as the runtime's normalizer and Split pre-tokenizer produce them. */
export function pretokenize(text: string): string[] {
  return text.normalize('NFC').match(SPLIT) ?? [];
}
