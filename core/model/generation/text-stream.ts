/**
 * The text of one generated row as it grows: where a stop string first appears, and which part
 * is safe to stream (never half a UTF-8 character, never text that may turn into a stop string).
 */
export class RowText {
  private emitted = 0;

  constructor(private readonly stops: readonly string[]) {}

  /** Index in `text` of the earliest stop string, with the one found; undefined when none. */
  findStop(text: string): { index: number; stop: string } | undefined {
    let best: { index: number; stop: string } | undefined;
    for (const stop of this.stops) {
      const index = text.indexOf(stop);
      if (index >= 0 && (!best || index < best.index)) best = { index, stop };
    }
    return best;
  }

  /**
   * The not-yet-streamed part of `text` that can be shown now. While the row runs, a trailing
   * replacement character (an incomplete multi-byte character) and any tail that is a prefix of a
   * stop string are held back; `final` releases everything.
   */
  delta(text: string, final: boolean): string {
    let end = text.length;
    if (!final) {
      while (end > this.emitted && text.charCodeAt(end - 1) === 0xfffd) end--;
      end = Math.min(end, this.emitted + Math.max(0, end - this.emitted - this.heldForStops(text.slice(0, end))));
    }
    if (end <= this.emitted) return '';
    const out = text.slice(this.emitted, end);
    this.emitted = end;
    return out;
  }

  /** Length of the longest tail of `text` that is a proper prefix of some stop string. */
  private heldForStops(text: string): number {
    let held = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, text.length); n > held; n--) {
        if (text.endsWith(stop.slice(0, n))) {
          held = n;
          break;
        }
      }
    }
    return held;
  }
}
