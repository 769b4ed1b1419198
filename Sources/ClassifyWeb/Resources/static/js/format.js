// How numbers and verdicts read on the page.

export const formatScore = (score) => (score === null || score === undefined ? '—' : score.toFixed(2));

export const formatCount = (n) => Number(n ?? 0).toLocaleString();

export function formatMs(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

/** US dollars as the page shows them: $0.0084 below a dollar, $1.23 above, "unknown" for null. */
export function formatCost(usd) {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return 'unknown';
  if (usd > 0 && usd < 0.00005) return '< $0.0001';
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

export function formatDate(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : date.toLocaleString();
}

export const plural = (n, one, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

const TYPE_NAMES = { motion: 'camera shake', defocus: 'out of focus', none: 'none' };
export const typeName = (type) => TYPE_NAMES[type] ?? type;

/**
 * The verdict for a photo at a threshold. The server only names the kind of blur for photos
 * above the threshold it used, so a photo re-labelled blurred on the page may not know it yet.
 */
export function verdict(photo, threshold) {
  const score = photo.blur_score ?? null;
  if (score === null) return { state: 'pending', label: 'Not analysed', score: null };
  const blurred = score >= threshold;
  if (!blurred) return { state: 'clear', label: 'Clear', score };
  const type = photo.known_type;
  return { state: 'blurred', label: type ? `Blurred · ${typeName(type)}` : 'Blurred', score };
}
