/**
 * A binary min-heap of event-time timers: (time, payload) pairs popped in time order.
 *
 * Windowed operators register one timer per window (or per key and window) and fire the ones a
 * watermark passes. Timers are never removed from the middle: an operator that no longer needs a
 * timer simply ignores it when it pops (lazy deletion), which keeps registration O(log n).
 */
export class TimerHeap<P> {
  private times: number[] = [];
  private payloads: P[] = [];

  get size(): number {
    return this.times.length;
  }

  /** The earliest registered time, or +Infinity when empty. */
  peekTime(): number {
    return this.times.length === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number);
  }

  /** The earliest payload, left in place; the caller checks `size` first. */
  peek(): P {
    return this.payloads[0] as P;
  }

  push(time: number, payload: P): void {
    const times = this.times;
    const payloads = this.payloads;
    let i = times.length;
    times.push(time);
    payloads.push(payload);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt <= time) break;
      times[i] = pt;
      payloads[i] = payloads[parent] as P;
      i = parent;
    }
    times[i] = time;
    payloads[i] = payload;
  }

  /** Removes and returns the earliest payload; the caller checks `peekTime()` first. */
  pop(): P {
    const times = this.times;
    const payloads = this.payloads;
    const top = payloads[0] as P;
    const lastTime = times.pop() as number;
    const lastPayload = payloads.pop() as P;
    const n = times.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && (times[r] as number) < (times[l] as number) ? r : l;
        if ((times[c] as number) >= lastTime) break;
        times[i] = times[c] as number;
        payloads[i] = payloads[c] as P;
        i = c;
      }
      times[i] = lastTime;
      payloads[i] = lastPayload;
    }
    return top;
  }

  clear(): void {
    this.times = [];
    this.payloads = [];
  }

  /** Plain data for snapshots: [time, payload] pairs in heap order. */
  snapshot(): [number, P][] {
    return this.times.map((t, i) => [t, this.payloads[i] as P]);
  }

  restore(entries: readonly [number, P][]): void {
    this.clear();
    for (const [t, p] of entries) this.push(t, p);
  }
}
