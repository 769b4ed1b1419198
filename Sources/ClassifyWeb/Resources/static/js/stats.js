// Statistics charts, drawn as SVG from GET /api/v1/stats. Every chart also says its numbers in
// text (legend, <title>s, a table), so nothing is only a colour or a shape.

import { fillFacts, h, s } from './dom.js';
import { formatCost, formatCount, formatMs, plural, typeName } from './format.js';

const BINS = 20;

/** Clear / blurred / not analysed as a donut with a legend. */
export function renderClasses(chart, legend, { clear, blurred, unprocessed }) {
  const total = clear + blurred + unprocessed;
  const radius = 60;
  const circumference = 2 * Math.PI * radius;
  const parts = [
    { key: 'clear', label: 'Clear', value: clear, swatch: 'swatch-clear' },
    { key: 'blurred', label: 'Blurred', value: blurred, swatch: 'swatch-blurred-class' },
    { key: 'unprocessed', label: 'Not analysed', value: unprocessed, swatch: 'swatch-pending' },
  ];
  const svg = s('svg', {
    viewBox: '0 0 160 160',
    role: 'img',
    id: 'donut',
    'aria-label': `${plural(total, 'photo')}: ${clear} clear, ${blurred} blurred, ${unprocessed} not analysed`,
  });
  svg.append(s('circle', { cx: 80, cy: 80, r: radius, class: 'donut-track', fill: 'none', 'stroke-width': 22 }));
  let offset = 0;
  for (const part of parts) {
    if (!total || !part.value) continue;
    const length = (part.value / total) * circumference;
    svg.append(
      s(
        'circle',
        {
          cx: 80,
          cy: 80,
          r: radius,
          fill: 'none',
          'stroke-width': 22,
          class: `donut-${part.key}`,
          'stroke-dasharray': `${length} ${circumference - length}`,
          'stroke-dashoffset': -offset,
          transform: 'rotate(-90 80 80)',
        },
        s('title', null, `${part.label}: ${part.value}`),
      ),
    );
    offset += length;
  }
  svg.append(
    s('text', { x: 80, y: 80, 'text-anchor': 'middle', class: 'chart-big' }, formatCount(total)),
    s('text', { x: 80, y: 98, 'text-anchor': 'middle' }, total === 1 ? 'photo' : 'photos'),
  );
  chart.replaceChildren(h('div', { class: 'donut-box' }, svg));
  legend.replaceChildren(
    ...parts.map((part) =>
      h(
        'li',
        { dataset: { key: part.key } },
        h('span', { class: `swatch ${part.swatch}` }),
        part.label,
        h('span', { class: 'legend-count', id: `legend-${part.key}` }, formatCount(part.value)),
      ),
    ),
  );
}

/** Horizontal bars, one per kind of blur. */
export function renderTypes(chart, blurTypes) {
  const entries = Object.entries(blurTypes ?? {})
    .filter(([type, count]) => type !== 'none' && count > 0)
    .sort((a, b) => b[1] - a[1]);
  if (!entries.length) {
    chart.replaceChildren(h('p', { class: 'hint' }, 'No blurred photos at this threshold.'));
    return;
  }
  const max = Math.max(...entries.map(([, count]) => count));
  const rowHeight = 34;
  const labelWidth = 104;
  // Drawn at the size it is shown, so its words stay at reading size.
  const width = Math.max(240, Math.round(chart.clientWidth) || 320);
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${entries.length * rowHeight}`,
    role: 'img',
    id: 'types-chart',
    'aria-label': entries.map(([type, count]) => `${typeName(type)}: ${count}`).join(', '),
  });
  entries.forEach(([type, count], row) => {
    const y = row * rowHeight;
    const barWidth = Math.max(2, ((width - labelWidth - 40) * count) / max);
    svg.append(
      s('text', { x: 0, y: y + 21 }, typeName(type)),
      s(
        'rect',
        { x: labelWidth, y: y + 7, width: barWidth, height: 20, rx: 4, class: `type-bar type-${type}` },
        s('title', null, `${typeName(type)}: ${count}`),
      ),
      s('text', { x: labelWidth + barWidth + 6, y: y + 21, class: 'chart-value' }, formatCount(count)),
    );
  });
  chart.replaceChildren(svg);
}

/** The 20-bin histogram of blur scores with the threshold as a dashed vertical line. */
export function renderHistogram(chart, table, histogram, threshold) {
  const counts = Array.from({ length: BINS }, (_, i) => histogram?.[i] ?? 0);
  const width = 640;
  const height = 230;
  const left = 40;
  const right = 12;
  const top = 22;
  const bottom = 30;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const max = Math.max(1, ...counts);
  const binWidth = plotWidth / BINS;
  const total = counts.reduce((a, b) => a + b, 0);
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    id: 'histogram',
    'aria-label': `Blur scores of ${plural(total, 'analysed photo')} in ${BINS} bins from 0 to 1; threshold ${threshold.toFixed(2)}`,
  });
  svg.append(
    s('line', { x1: left, x2: width - right, y1: top + plotHeight, y2: top + plotHeight, class: 'axis' }),
    s('line', { x1: left, x2: left, y1: top, y2: top + plotHeight, class: 'axis' }),
    s('text', { x: left - 6, y: top + 4, 'text-anchor': 'end' }, formatCount(max)),
    s('text', { x: left - 6, y: top + plotHeight, 'text-anchor': 'end' }, '0'),
  );
  counts.forEach((count, i) => {
    const low = i / BINS;
    const high = (i + 1) / BINS;
    const barHeight = (count / max) * plotHeight;
    const blurred = (low + high) / 2 >= threshold;
    svg.append(
      s(
        'rect',
        {
          x: left + i * binWidth + 1,
          y: top + plotHeight - barHeight,
          width: binWidth - 2,
          height: barHeight,
          rx: 2,
          class: blurred ? 'hist-bar is-blurred' : 'hist-bar',
          dataset: { count },
        },
        s('title', null, `${low.toFixed(2)}–${high.toFixed(2)}: ${plural(count, 'photo')}`),
      ),
    );
  });
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(s('text', { x: left + tick * plotWidth, y: height - 10, 'text-anchor': 'middle' }, tick.toFixed(2)));
  }
  const x = left + threshold * plotWidth;
  svg.append(
    s('line', { x1: x, x2: x, y1: top - 8, y2: top + plotHeight, class: 'threshold-line', id: 'threshold-line' }),
    s(
      'text',
      { x, y: top - 11, 'text-anchor': threshold > 0.85 ? 'end' : threshold < 0.15 ? 'start' : 'middle', class: 'threshold-label-text' },
      `threshold ${threshold.toFixed(2)}`,
    ),
  );
  chart.replaceChildren(svg);
  table.tBodies[0].replaceChildren(
    ...counts.map((count, i) =>
      h('tr', null, h('td', null, `${(i / BINS).toFixed(2)}–${((i + 1) / BINS).toFixed(2)}`), h('td', null, formatCount(count))),
    ),
  );
}

export function renderTimes(dl, stats) {
  const analysed = stats.total - stats.unprocessed;
  fillFacts(dl, [
    ['Photos analysed', formatCount(analysed), 'fact-analysed'],
    ['Mean per photo', formatMs(stats.mean_processing_ms), 'fact-mean-ms'],
    ['95th percentile', formatMs(stats.p95_processing_ms), 'fact-p95-ms'],
  ]);
}

/**
 * Counts at a threshold the server has not applied yet. Exact when every analysed score is
 * known on the page; otherwise estimated from the histogram (each bin spread evenly).
 */
export function countsAt(threshold, stats, knownScores) {
  const analysed = stats.total - stats.unprocessed;
  let blurred;
  let exact = true;
  if (knownScores.size >= analysed) {
    blurred = 0;
    for (const score of knownScores.values()) if (score >= threshold) blurred += 1;
  } else {
    exact = false;
    blurred = 0;
    (stats.histogram ?? []).forEach((count, i) => {
      const low = i / BINS;
      const high = (i + 1) / BINS;
      const share = Math.min(1, Math.max(0, (high - threshold) / (high - low)));
      blurred += count * share;
    });
    blurred = Math.min(analysed, Math.round(blurred));
  }
  return { all: stats.total, blurred, clear: analysed - blurred, unprocessed: stats.unprocessed, exact };
}

/** Up to this many characters of a tag fit beside its bar; the whole tag is in its <title>. */
const TAG_LABEL_CHARS = 18;

/**
 * The "Tags" card: the most used tags as horizontal bars (and a table), then how many photos
 * are tagged and what tagging took: calls, the ones answered from the cache, tokens and cost.
 * `tagging` is GET /api/v1/tags (or /stats → tagging); `totalPhotos` the library size.
 */
export function renderTags({ chart, table, facts, status }, tagging, totalPhotos) {
  if (!tagging) return;
  const usage = tagging.usage ?? {};
  status.textContent = tagging.enabled
    ? `Tagged by ${tagging.model ?? 'a vision model'}. Choose a tag in the gallery to see its photos.`
    : `AI tagging is off: ${tagging.reason || 'not configured on this server'}.`.replace(/\.\.$/, '.');
  status.dataset.enabled = String(Boolean(tagging.enabled));
  fillFacts(facts, [
    ['Tagged photos', `${formatCount(tagging.tagged_photos ?? 0)} of ${formatCount(totalPhotos ?? 0)}`, 'fact-tagged'],
    ['Model calls', formatCount(usage.calls ?? 0), 'fact-tag-calls'],
    ['Answered from the cache', formatCount(usage.cached_calls ?? 0), 'fact-tag-cached'],
    ['Prompt tokens', formatCount(usage.prompt_tokens ?? 0), 'fact-prompt-tokens'],
    ['Completion tokens', formatCount(usage.completion_tokens ?? 0), 'fact-completion-tokens'],
    ['Estimated cost', formatCost(usage.estimated_cost_usd), 'fact-tag-cost'],
  ]);
  const entries = (tagging.tags ?? []).filter((entry) => entry.count > 0);
  table.tBodies[0].replaceChildren(
    ...entries.map((entry) =>
      h(
        'tr',
        null,
        h('td', null, h('a', { href: `/?tag=${encodeURIComponent(entry.tag)}`, class: 'tag-link', dataset: { tag: entry.tag } }, entry.tag)),
        h('td', null, formatCount(entry.count)),
      ),
    ),
  );
  const details = table.closest('details');
  if (details) details.hidden = !entries.length;
  if (!entries.length) {
    chart.replaceChildren(
      h('p', { class: 'hint', id: 'tags-chart-empty' }, tagging.enabled ? 'No photo is tagged yet: press “Tag photos” in the gallery.' : 'No photo is tagged.'),
    );
    return;
  }
  const max = Math.max(...entries.map((entry) => entry.count));
  const rowHeight = 26;
  const labelWidth = 136;
  const width = Math.max(260, Math.round(chart.clientWidth) || 480);
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${entries.length * rowHeight}`,
    role: 'img',
    id: 'tags-chart',
    'aria-label': `Most used tags: ${entries.map((entry) => `${entry.tag} ${entry.count}`).join(', ')}`,
  });
  entries.forEach((entry, row) => {
    const y = row * rowHeight;
    const barWidth = Math.max(2, ((width - labelWidth - 44) * entry.count) / max);
    const label = entry.tag.length > TAG_LABEL_CHARS ? `${entry.tag.slice(0, TAG_LABEL_CHARS - 1)}…` : entry.tag;
    svg.append(
      s('text', { x: 0, y: y + 17, class: 'tag-label' }, label, s('title', null, entry.tag)),
      s(
        'rect',
        { x: labelWidth, y: y + 4, width: barWidth, height: 18, rx: 4, class: 'tag-bar', dataset: { tag: entry.tag, count: entry.count } },
        s('title', null, `${entry.tag}: ${plural(entry.count, 'photo')}`),
      ),
      s('text', { x: labelWidth + barWidth + 6, y: y + 17, class: 'chart-value' }, formatCount(entry.count)),
    );
  });
  chart.replaceChildren(svg);
}
