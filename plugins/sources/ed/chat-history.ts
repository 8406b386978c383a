/**
 * ED-v2 `chat_history` → a list of utterances. The column is seen as a JSON array, a Python
 * list literal (`['Hi', "I'm ok"]`, how pandas writes a list into CSV), a real list
 * (Parquet/JSONL), or plain text with one utterance per line.
 */
export function parseChatHistory(raw: unknown): string[] | undefined {
  if (Array.isArray(raw)) return raw.map((item) => String(item));
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (text === '') return [];
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map((item) => String(item));
    } catch {
      // Not JSON: most likely a Python list literal.
    }
    return parsePythonStringList(text);
  }
  return text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
}

/** Parses `['a', "b's", 'c\'d']`; undefined if the text is not a list of string literals. */
function parsePythonStringList(text: string): string[] | undefined {
  const items: string[] = [];
  let i = 1;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skipSpace();
  if (text[i] === ']') return i === text.length - 1 ? items : undefined;
  while (i < text.length) {
    skipSpace();
    const quote = text[i];
    if (quote !== "'" && quote !== '"') return undefined;
    i++;
    let item = '';
    while (i < text.length && text[i] !== quote) {
      if (text[i] === '\\' && i + 1 < text.length) {
        const next = text[i + 1]!;
        item += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        i += 2;
      } else {
        item += text[i++];
      }
    }
    if (i >= text.length) return undefined;
    i++;
    items.push(item);
    skipSpace();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === ']' && i === text.length - 1) return items;
    return undefined;
  }
  return undefined;
}
