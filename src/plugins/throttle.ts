/** `throttle(ms)()` is true at most once per `ms`: for a warning a failure would repeat per call. */
export function throttle(ms: number): () => boolean {
  let last = -Infinity;
  return () => {
    const now = Date.now();
    if (now - last < ms) return false;
    last = now;
    return true;
  };
}
