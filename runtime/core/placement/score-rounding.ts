/** Scores are rounded so that float noise never decides between two hosts. */
export function tidy(score: number): number {
  return Math.round(score * 1e6) / 1e6;
}
