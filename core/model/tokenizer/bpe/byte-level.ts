/**
 * GPT-2's reversible byte-to-character map: every byte becomes a printable character, so a
 * byte-level BPE vocabulary is plain strings (space is `Ġ`, newline `Ċ`).
 */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const map = new Array<string>(256);
  for (const b of printable) map[b] = String.fromCharCode(b);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    if (map[b] === undefined) map[b] = String.fromCharCode(256 + next++);
  }
  return map;
}

const BYTE_CHARS = bytesToUnicode();
const encoder = new TextEncoder();

/** UTF-8 bytes of `text`, each shown as its byte-level character. */
export function toByteLevel(text: string): string[] {
  return [...encoder.encode(text)].map((b) => BYTE_CHARS[b]!);
}
