/**
 * How long after a TOTP step boundary the new QR reached the screen, measured in the
 * page: from the replaced code's `step_end` (the server's clock) to the first frame
 * after the new picture decoded. Kept on the picture as `data-swap-ms`, where the
 * bench (`tests/e2e/benches/work.rs`) reads it; nothing else depends on it.
 */
export function markSwap(img: Element, boundary: number | null, clockOffsetSecs: number): void {
  if (boundary === null) return;
  requestAnimationFrame(() => {
    const ms = (Date.now() / 1000 + clockOffsetSecs - boundary) * 1000;
    (img as HTMLElement).dataset.swapMs = String(Math.round(ms));
  });
}
