/** Small text helpers for error messages. */

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] as number;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] as number;
      dp[j] = Math.min(
        (dp[j] as number) + 1,
        (dp[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return dp[b.length] as number;
}

/**
 * The candidate closest to `name` (ignoring case; a difference only in case counts as closest), if it
 * is within `maxDistance` edits (default: a third of the name's length, at least 1).
 */
export function didYouMean(
  name: string,
  candidates: readonly string[],
  maxDistance?: number,
): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const score =
      c.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name.toLowerCase(), c.toLowerCase());
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  const limit = maxDistance ?? Math.max(1, Math.floor(name.length / 3));
  return bestScore <= limit ? best : undefined;
}
