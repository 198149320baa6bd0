/**
 * Watermark and end-of-input bookkeeping for operators with several inputs: the combined watermark is
 * the minimum over the inputs' latest watermarks (an input that has ended counts as +Infinity), and the
 * output ends when every input has ended.
 */
export class InputTracker {
  private readonly latest: number[];
  private readonly ended: boolean[];
  private endedCount = 0;
  /** The combined watermark last reported as advanced. */
  current = -Infinity;

  constructor(inputs: number) {
    this.latest = new Array<number>(inputs).fill(-Infinity);
    this.ended = new Array<boolean>(inputs).fill(false);
  }

  get inputs(): number {
    return this.latest.length;
  }

  /** Records input `input`'s watermark; returns the new combined watermark, or null if it did not advance. */
  watermark(ts: number, input: number): number | null {
    const prev = this.latest[input];
    if (prev === undefined || ts <= prev) return null;
    this.latest[input] = ts;
    return this.advance();
  }

  /** Records that `input` ended; returns true exactly once, when the last input ends. */
  end(input: number): boolean {
    if (this.ended[input] !== false) return false;
    this.ended[input] = true;
    this.latest[input] = Infinity;
    this.endedCount++;
    return this.endedCount === this.latest.length;
  }

  /** The combined watermark after an `end` call, or null if it did not advance. */
  advance(): number | null {
    let min = Infinity;
    for (const w of this.latest) if (w < min) min = w;
    if (min <= this.current) return null;
    this.current = min;
    return min;
  }

  get allEnded(): boolean {
    return this.endedCount === this.latest.length;
  }
}
