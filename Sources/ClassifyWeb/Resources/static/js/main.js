// The dashboard: wires the header menu, the tabs (with the address bar), the gallery, the
// threshold slider, blur detection with its progress bar, uploads, statistics and debug info,
// and AI tags (chips that filter, the search box, "Tag photos" with its progress).
// What the server rendered (tab, threshold, counts) is read from the page's data attributes;
// the tag and search words come from the address (?tag=, ?q=).

import { api } from './api.js';
import { $, $$ } from './dom.js';
import { Gallery } from './gallery.js';
import { formatCount, plural } from './format.js';
import { startBatch, startOne, track } from './jobs.js';
import { setupMenu } from './menu.js';
import { renderDebug } from './debug.js';
import { setupGoogle } from './google.js';
import { countsAt, renderClasses, renderHistogram, renderTags, renderTimes, renderTypes } from './stats.js';
import { setupTagging } from './tags.js';
import { notify, notifyError } from './toast.js';
import { Uploader, setupDropZone, setupImport } from './upload.js';
import { Viewer } from './viewer.js';

const body = document.body;
const FILTERS = { all: 'all', clear: 'not_blurred', blurred: 'blurred', unprocessed: 'unprocessed' };
const TITLES = {
  all: 'All photos',
  clear: 'Clear photos',
  blurred: 'Blurred photos',
  unprocessed: 'Not analysed yet',
  statistics: 'Statistics',
  debug: 'Debug info',
};
const TABS = Object.keys(TITLES);

/** What the address says: the tab, the tag and the search words (trimmed; null when absent). */
function readAddress() {
  const params = new URLSearchParams(window.location.search);
  const clean = (value) => (value ?? '').trim() || null;
  return { tab: params.get('tab') ?? 'all', tag: clean(params.get('tag')), q: clean(params.get('q')) };
}

const initialThreshold = Number.parseFloat(body.dataset.threshold);
const initialAddress = readAddress();
const state = {
  tab: TABS.includes(body.dataset.tab) ? body.dataset.tab : 'all',
  /** The gallery narrowed to one tag (?tag=) and to words in tags and captions (?q=). */
  tag: initialAddress.tag,
  q: initialAddress.q,
  threshold: Number.isFinite(initialThreshold) ? initialThreshold : 0.5,
  stats: null,
  /** Library size as the server last said (first from the rendered tab count). */
  total: Number.parseInt($('[data-count="all"]')?.textContent ?? '', 10) || 0,
  jobRunning: false,
};

const el = {
  title: $('#view-title'),
  toolbar: $('#toolbar'),
  thresholdControl: $('#threshold-control'),
  slider: $('#threshold'),
  sliderValue: $('#threshold-value'),
  detectAll: $('#detect-all'),
  job: $('#job'),
  jobLabel: $('#job-label'),
  jobText: $('#job-text'),
  jobBar: $('#job-progress'),
  jobFill: $('#job-progress-fill'),
  panels: { gallery: $('#panel-gallery'), statistics: $('#panel-statistics'), debug: $('#panel-debug') },
  grid: $('#grid'),
  emptyLibrary: $('#empty-library'),
  emptyFiltered: $('#empty-filtered'),
  emptyFilteredTitle: $('#empty-filtered-title'),
  emptyFilteredText: $('#empty-filtered-text'),
  emptyClearFilters: $('#empty-clear-filters'),
  fileInput: $('#file-input'),
  filters: $('#filters'),
  search: $('#search'),
  searchForm: $('#search-form'),
  activeFilters: $('#active-filters'),
  tagFilterName: $('#tag-filter-name'),
  tagFilterClear: $('#tag-filter-clear'),
  tagAll: $('#tag-all'),
};

// ---------- Header ----------

const avatar = $('.avatar');
if (avatar) {
  const words = (avatar.dataset.name || '?').trim().split(/\s+/);
  avatar.textContent = words.slice(0, 2).map((word) => word[0]?.toUpperCase() ?? '').join('') || '?';
}

// ---------- Gallery and photo view ----------

const gallery = new Gallery({
  grid: el.grid,
  more: $('#more'),
  loadMore: $('#load-more'),
  loading: $('#loading'),
  threshold: state.threshold,
  onOpen: (id) => viewer.open(id),
  onDetect: (id, button) => detectOne(id, button),
  onLoaded: () => updateEmptyStates(),
  onTag: (tag) => filterByTag(tag),
});

const viewer = new Viewer({
  dialog: $('#viewer'),
  gallery,
  threshold: state.threshold,
  onDetect: (id, button) => detectOne(id, button),
  onDelete: async (id) => {
    gallery.remove(id);
    notify('Photo deleted.', { kind: 'success' });
    await refreshStats();
  },
  onTag: (tag) => filterByTag(tag),
  taggingStatus: () => tagging.status,
});

function isGalleryTab(tab = state.tab) {
  return tab in FILTERS;
}

function updateEmptyStates() {
  const onGallery = isGalleryTab();
  const loaded = gallery.photos.length;
  const settled = !gallery.busy;
  const filtering = Boolean(state.tag || state.q);
  const libraryEmpty = onGallery && settled && loaded === 0 && state.total === 0;
  const filteredEmpty = onGallery && settled && loaded === 0 && state.total > 0;
  el.emptyLibrary.hidden = !libraryEmpty;
  el.grid.hidden = libraryEmpty || filteredEmpty;
  el.emptyFiltered.hidden = !filteredEmpty;
  el.emptyFiltered.dataset.kind = filtering ? 'no-match' : 'filter';
  el.emptyClearFilters.hidden = !(filteredEmpty && filtering);
  // An empty library has nothing to search; a search already typed stays so it can be cleared.
  el.filters.hidden = !onGallery || (libraryEmpty && !filtering);
  el.detectAll.disabled = state.jobRunning || (state.stats ? state.stats.unprocessed === 0 : state.total === 0);
  el.detectAll.title = el.detectAll.disabled && !state.jobRunning ? 'Every photo already has a blur score' : '';
  if (filteredEmpty && filtering) {
    const wanted = [state.tag ? `tagged “${state.tag}”` : null, state.q ? `matching “${state.q}”` : null].filter(Boolean);
    const among = { all: '', clear: ' among the clear photos', blurred: ' among the blurred photos', unprocessed: ' among the photos not analysed yet' }[state.tab] ?? '';
    const status = tagging.status;
    const untagged = status?.enabled && status.tagged_photos < state.total
      ? ` ${plural(state.total - status.tagged_photos, 'photo')} ${state.total - status.tagged_photos === 1 ? 'has' : 'have'} no tags yet: press “Tag photos” to describe ${state.total - status.tagged_photos === 1 ? 'it' : 'them'}.`
      : '';
    el.emptyFilteredTitle.textContent = 'No photos match';
    el.emptyFilteredText.textContent = `No photos ${wanted.join(' and ')}${among}.${untagged}`;
  } else if (filteredEmpty) {
    const t = state.threshold.toFixed(2);
    const pending = state.stats?.unprocessed ?? 0;
    const waiting = pending ? ` ${plural(pending, 'photo')} ${pending === 1 ? 'is' : 'are'} not analysed yet: press “Detect blur on all”.` : '';
    const messages = {
      all: ['No photos', 'Your library is empty.'],
      clear: ['No clear photos', `No photo scores below the threshold of ${t}.${waiting}`],
      blurred: ['No blurred photos', `No photo scores ${t} or more.${waiting}`],
      unprocessed: ['Everything is analysed', 'Every photo has a blur score.'],
    };
    const [title, text] = messages[state.tab];
    el.emptyFilteredTitle.textContent = title;
    el.emptyFilteredText.textContent = text;
  }
}

async function loadGallery() {
  if (!isGalleryTab()) return;
  showFilters();
  try {
    await gallery.load(FILTERS[state.tab], { tag: state.tag, q: state.q });
  } catch (error) {
    notifyError(error, 'Could not load your photos');
  }
  updateEmptyStates();
}

// ---------- Counts and statistics ----------

function setCounts(counts, exact = true) {
  for (const node of $$('[data-count]')) {
    const value = counts[node.dataset.count];
    if (value === undefined) continue;
    node.textContent = `${exact ? '' : '≈'}${formatCount(value)}`;
    node.title = exact ? '' : 'Estimated until the new threshold is saved';
  }
}

function renderStatistics() {
  const stats = state.stats;
  if (!stats) return;
  const live = countsAt(state.threshold, stats, gallery.scores);
  const same = Math.abs(stats.threshold - state.threshold) < 1e-9;
  const counts = same ? { clear: stats.not_blurred, blurred: stats.blurred, unprocessed: stats.unprocessed } : live;
  renderClasses($('#chart-classes'), $('#legend-classes'), counts);
  renderTypes($('#chart-types'), stats.blur_types);
  renderHistogram($('#chart-histogram'), $('#histogram-table'), stats.histogram, state.threshold);
  renderTimes($('#facts-times'), stats);
  renderTags(
    { chart: $('#chart-tags'), table: $('#tags-table'), facts: $('#facts-tags'), status: $('#tags-status') },
    stats.tagging ?? tagging.status,
    stats.total,
  );
}

async function refreshStats() {
  try {
    const stats = await api('stats');
    state.stats = stats;
    state.total = stats.total;
    if (stats.tagging) tagging.apply(stats.tagging);
    if (Math.abs(stats.threshold - state.threshold) < 1e-9) {
      setCounts({ all: stats.total, clear: stats.not_blurred, blurred: stats.blurred, unprocessed: stats.unprocessed });
    } else {
      const live = countsAt(state.threshold, stats, gallery.scores);
      setCounts(live, live.exact);
    }
    if (state.tab === 'statistics') renderStatistics();
    updateEmptyStates();
  } catch (error) {
    notifyError(error, 'Could not load the statistics');
  }
}

// ---------- Tabs ----------

/** The address of what is shown: the tab, and on gallery tabs the tag and the search words. */
function addressOf({ tab, tag, q }) {
  const params = new URLSearchParams();
  if (tab !== 'all') params.set('tab', tab);
  if (isGalleryTab(tab)) {
    if (tag) params.set('tag', tag);
    if (q) params.set('q', q);
  }
  const text = params.toString();
  return text ? `/?${text}` : '/';
}

/** Puts the state in the address bar: 'push' (a new history entry) or 'replace'. */
function syncAddress(mode) {
  const url = addressOf(state);
  const snapshot = { tab: state.tab, tag: state.tag, q: state.q };
  if (url === window.location.pathname + window.location.search) {
    history.replaceState(snapshot, '', url);
  } else if (mode === 'push') {
    history.pushState(snapshot, '', url);
  } else {
    history.replaceState(snapshot, '', url);
  }
}

/**
 * Shows a tab. `push` adds a history entry. The tag and the search words narrow the gallery
 * tabs (and stay when moving between them); another tab drops them.
 */
function showTab(tab, { push = false } = {}) {
  if (!TABS.includes(tab)) tab = 'all';
  const changed = tab !== state.tab;
  state.tab = tab;
  body.dataset.tab = tab;
  if (!isGalleryTab(tab)) {
    state.tag = null;
    state.q = null;
  }
  if (push && changed) syncAddress('push');
  for (const link of $$('.tab')) {
    if (link.dataset.tab === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  el.title.textContent = TITLES[tab];
  document.title = `${TITLES[tab]} · Classify`;
  el.panels.gallery.hidden = !isGalleryTab(tab);
  el.panels.statistics.hidden = tab !== 'statistics';
  el.panels.debug.hidden = tab !== 'debug';
  el.thresholdControl.hidden = tab === 'debug';
  el.detectAll.hidden = !isGalleryTab(tab);
  el.tagAll.hidden = !isGalleryTab(tab);
  if (viewer.isOpen) viewer.dialog.close();
  if (isGalleryTab(tab)) {
    el.emptyFiltered.hidden = true;
    el.emptyLibrary.hidden = true;
    loadGallery();
  } else if (tab === 'statistics') {
    renderStatistics();
    refreshStats();
  } else if (tab === 'debug') {
    renderDebug(el.panels.debug).catch((error) => notifyError(error, 'Could not load debug info'));
  }
}

$('#tabs').addEventListener('click', (event) => {
  const link = event.target.closest('a.tab');
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
  event.preventDefault();
  showTab(link.dataset.tab, { push: true });
});

window.addEventListener('popstate', () => {
  const address = readAddress();
  state.tag = address.tag;
  state.q = address.q;
  el.search.value = state.q ?? '';
  showTab(address.tab);
});

// ---------- Tag filter and search ----------

/** The search box and the active tag chip show the state. */
function showFilters() {
  if (document.activeElement !== el.search && el.search.value.trim() !== (state.q ?? '')) el.search.value = state.q ?? '';
  el.activeFilters.hidden = !state.tag;
  el.tagFilterName.textContent = state.tag ?? '';
  el.tagFilterClear.setAttribute('aria-label', state.tag ? `Stop filtering by tag ${state.tag}` : 'Stop filtering by tag');
  body.dataset.filterTag = state.tag ?? '';
  body.dataset.filterQ = state.q ?? '';
}

/** Narrows the gallery (of the current tab, or of All from another tab) to the photos with `tag`. */
async function filterByTag(tag) {
  if (viewer.isOpen) viewer.dialog.close();
  if (!isGalleryTab()) {
    state.tag = tag;
    state.q = null;
    showTab('all'); // loads the gallery with the tag
    syncAddress('push');
    el.tagFilterClear.focus();
    return;
  }
  if (tag !== state.tag) {
    state.tag = tag;
    syncAddress('push');
    showFilters();
    el.tagFilterClear.focus();
    await loadGallery();
  }
  el.tagFilterClear.focus();
}

async function clearTag() {
  if (!state.tag) return;
  state.tag = null;
  syncAddress('push');
  showFilters();
  el.search.focus();
  await loadGallery();
}

let searchTimer = null;

/** Shows the photos whose tags or caption hold the words in the box (all of them when empty). */
async function applySearch() {
  clearTimeout(searchTimer);
  const words = el.search.value.trim() || null;
  if (words === state.q) return;
  const hadWords = Boolean(state.q);
  state.q = words;
  // Typing refines one history entry; starting or clearing a search is a step of its own.
  syncAddress(hadWords && words ? 'replace' : 'push');
  showFilters();
  await loadGallery();
}

el.search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  // The box's own clear button (or deleting everything) restores the gallery at once.
  searchTimer = setTimeout(applySearch, el.search.value.trim() ? 300 : 0);
});
el.searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  applySearch();
});
el.tagFilterClear.addEventListener('click', clearTag);
el.emptyClearFilters.addEventListener('click', async () => {
  state.tag = null;
  state.q = null;
  el.search.value = '';
  syncAddress('push');
  showFilters();
  el.search.focus();
  await loadGallery();
});
// Tag names elsewhere on the page (the statistics table) are links to the filtered gallery.
document.addEventListener('click', (event) => {
  const link = event.target.closest?.('a.tag-link[data-tag]');
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
  event.preventDefault();
  filterByTag(link.dataset.tag);
});

$('#debug-refresh').addEventListener('click', () =>
  renderDebug(el.panels.debug).catch((error) => notifyError(error, 'Could not load debug info')),
);

// ---------- Threshold ----------

let saveTimer = null;

function applyThresholdLive(threshold) {
  state.threshold = threshold;
  el.sliderValue.textContent = threshold.toFixed(2);
  gallery.relabel(threshold);
  viewer.setThreshold(threshold);
  if (state.stats) {
    const live = countsAt(threshold, state.stats, gallery.scores);
    setCounts(live, live.exact || Math.abs(state.stats.threshold - threshold) < 1e-9);
  }
  if (state.tab === 'statistics') renderStatistics();
}

async function saveThreshold() {
  const threshold = state.threshold;
  body.dataset.thresholdSaved = 'pending';
  try {
    const saved = await api('users/me/settings', { method: 'PATCH', json: { blur_threshold: threshold } });
    if (Math.abs(state.threshold - threshold) > 1e-9) return; // moved again meanwhile: that save follows
    await refreshStats();
    if (state.tab === 'clear' || state.tab === 'blurred') await loadGallery();
    body.dataset.thresholdSaved = saved.blur_threshold.toFixed(2);
  } catch (error) {
    body.dataset.thresholdSaved = 'failed';
    notifyError(error, 'Could not save the threshold');
  }
}

el.slider.addEventListener('input', () => applyThresholdLive(Number.parseFloat(el.slider.value)));
el.slider.addEventListener('change', () => {
  applyThresholdLive(Number.parseFloat(el.slider.value));
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveThreshold, 350);
});

// ---------- Blur detection ----------

function showJobProgress(status) {
  const finished = (status.done ?? 0) + (status.failed ?? 0);
  const total = Math.max(status.total ?? 0, 1);
  el.job.hidden = false;
  el.job.dataset.status = status.status;
  el.jobBar.setAttribute('aria-valuemax', String(status.total ?? 0));
  el.jobBar.setAttribute('aria-valuenow', String(finished));
  el.jobBar.setAttribute('aria-valuetext', `${finished} of ${status.total} photos analysed`);
  el.jobFill.style.width = `${Math.round((finished / total) * 100)}%`;
  const failed = status.failed ? `, ${status.failed} failed` : '';
  el.jobText.textContent = `${formatCount(status.done ?? 0)} of ${formatCount(status.total ?? 0)} analysed${failed}`;
  el.job.classList.toggle('is-done', status.status === 'done');
  el.job.classList.toggle('is-failed', status.status === 'failed');
  el.jobLabel.textContent =
    status.status === 'done'
      ? 'Blur detection finished'
      : status.status === 'failed'
        ? 'Blur detection stopped'
        : status.status === 'queued'
          ? 'Waiting for a worker…'
          : 'Detecting blur…';
}

function reportFailures(status) {
  const problems = (status.errors ?? []).map((failure) => {
    const photo = gallery.photos.find((p) => p.id === failure.photo_id);
    return `${photo?.filename ?? failure.photo_id}: ${failure.error}`;
  });
  if (problems.length || status.status === 'failed') {
    notify(`${plural(Math.max(status.failed ?? 0, problems.length), 'photo')} could not be analysed:`, {
      kind: 'error',
      details: problems,
    });
  }
}

async function detectAll() {
  if (state.jobRunning) return;
  state.jobRunning = true;
  el.detectAll.disabled = true;
  try {
    const job = await startBatch();
    if (!job.total) {
      notify('Every photo already has a blur score.');
      return;
    }
    showJobProgress({ status: job.status ?? 'queued', total: job.total, done: 0, failed: 0 });
    let lastDone = 0;
    const final = await track(job.job_id, (status) => {
      showJobProgress(status);
      // Counts follow along every few photos, so the tabs fill while it runs.
      if (status.done - lastDone >= 5) {
        lastDone = status.done;
        refreshStats();
      }
    });
    reportFailures(final);
    if (final.status === 'done') notify(`Scored ${plural(final.done, 'photo')}.`, { kind: 'success' });
    await Promise.all([refreshStats(), isGalleryTab() ? loadGallery() : null]);
    setTimeout(() => {
      if (!state.jobRunning) el.job.hidden = true;
    }, 8000);
  } catch (error) {
    notifyError(error, 'Blur detection failed');
  } finally {
    state.jobRunning = false;
    updateEmptyStates();
  }
}

el.detectAll.addEventListener('click', detectAll);

async function detectOne(id, button) {
  const saved = [...button.childNodes].map((node) => node.cloneNode(true));
  const busyText = button.classList.contains('card-detect-again') ? '…' : 'Detecting…';
  button.disabled = true;
  button.replaceChildren(busyText);
  button.setAttribute('aria-busy', 'true');
  try {
    const job = await startOne(id);
    const final = await track(job.job_id);
    reportFailures(final);
    const answer = await api(`photos/${encodeURIComponent(id)}`);
    if (answer?.photos?.[0]) gallery.update(answer.photos[0]);
    viewer.refresh(id);
    await refreshStats();
  } catch (error) {
    notifyError(error, 'Blur detection failed');
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    if (button.textContent === busyText) button.replaceChildren(...saved);
    // A card's button tells whether its photo is analysed: let the card label it afresh.
    const photo = gallery.photos[gallery.indexOf(id)];
    const card = gallery.cardFor(id);
    if (photo && card) gallery.label(card, photo);
  }
}

// ---------- AI tags ----------

const tagging = setupTagging({
  button: el.tagAll,
  reason: $('#tag-reason'),
  help: $('#tag-help'),
  panel: $('#tag-job'),
  filter: () => FILTERS[state.tab] ?? 'all',
  photoName: (id) => gallery.photos.find((photo) => photo.id === id)?.filename,
  onTagged: async () => {
    await Promise.all([refreshStats(), isGalleryTab() ? loadGallery() : null]);
  },
});

// ---------- Getting photos in ----------

async function afterLibraryChange() {
  await refreshStats();
  if (isGalleryTab()) await loadGallery();
}

const uploader = new Uploader({
  panel: $('#upload'),
  label: $('#upload-label'),
  text: $('#upload-text'),
  bar: $('#upload-progress'),
  fill: $('#upload-progress-fill'),
  onUploaded: afterLibraryChange,
});

el.fileInput.addEventListener('change', () => {
  const files = [...el.fileInput.files];
  el.fileInput.value = '';
  uploader.upload(files);
});
setupDropZone({ overlay: $('#drop-overlay'), onFiles: (files) => uploader.upload(files) });

const importer =
  body.dataset.localMode === 'true' && $('#import-dialog')
    ? setupImport({
        dialog: $('#import-dialog'),
        form: $('#import-form'),
        input: $('#import-path'),
        error: $('#import-error'),
        cancel: $('#import-cancel'),
        submit: $('#import-submit'),
        uploader,
        onImported: afterLibraryChange,
      })
    : null;

const chooseFiles = () => el.fileInput.click();

// Google Photos (only when the server has Google configured; otherwise the items are disabled
// with the reason and never call these).
const google =
  body.dataset.googleConfigured === 'true' && $('#google-sync')
    ? setupGoogle({
        userId: body.dataset.userId,
        onPhotosAdded: afterLibraryChange,
        photoName: (id) => gallery.photos.find((photo) => photo.id === id)?.filename,
      })
    : null;
const googleOff = () => notify('Google is not configured on this server.');

setupMenu({
  button: $('#user-menu-button'),
  menu: $('#user-menu'),
  actions: {
    upload: chooseFiles,
    import: () => importer?.open(),
    pick: google?.pick ?? googleOff,
    sync: google?.sync ?? googleOff,
    album: google?.album ?? googleOff,
  },
});
$('#empty-upload')?.addEventListener('click', chooseFiles);
$('#empty-import')?.addEventListener('click', () => importer?.open());

// ---------- Start ----------

history.replaceState({ tab: state.tab, tag: state.tag, q: state.q }, '', window.location.href);
el.search.value = state.q ?? '';
showTab(state.tab);
if (state.tab !== 'statistics') refreshStats();
tagging.refresh();
body.dataset.ready = 'true';
