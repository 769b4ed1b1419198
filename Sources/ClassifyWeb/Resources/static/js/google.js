// Google Photos on the page: the status banner (expired access, unticked permissions) and the
// menu items it turns off, "Pick Photos" (a picking session in a new Google Photos tab, polled
// as Google's pollingConfig says, then synced into the library with a progress bar), "Sync
// Photos" (the last pick, kept in sessionStorage, when it is not synced yet) and "Create Album"
// (the clear photos as a new album in Google Photos, with progress and a link to it).

import { api } from './api.js';
import { $, h } from './dom.js';
import { formatCount, plural } from './format.js';
import { track } from './jobs.js';
import { notify, notifyError } from './toast.js';

const ALBUM_POLL_MS = 1000;
const MISSES_ALLOWED = 5;
const SIGN_IN = '/auth/google/start';
/** Codes that mean the person's Google access changed: the banner and menu are checked again. */
const ACCESS_CODES = new Set(['google_reauth_needed', 'google_scope_missing', 'google_not_connected']);
/** Which menu items need which feature (GET /api/v1/google/status → features). */
const FEATURE_ITEMS = { pick: ['pick', 'sync'], album: ['album'] };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function stored(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? 'null');
  } catch {
    return null;
  }
}

function store(key, value) {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage off (private mode): the page still works, it just forgets a pick on reload.
  }
}

function datedTitle(date = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  return `Classify – clear photos ${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A progress panel (.job): label, text, bar and note, as in the template. */
class Panel {
  constructor(prefix) {
    this.root = $(`#${prefix}`);
    this.label = $(`#${prefix}-label`);
    this.text = $(`#${prefix}-text`);
    this.bar = $(`#${prefix}-progress`);
    this.fill = $(`#${prefix}-progress-fill`);
    this.note = $(`#${prefix}-note`);
  }

  show(status, label, note = '') {
    this.root.hidden = false;
    this.root.dataset.status = status;
    this.root.classList.toggle('is-done', status === 'done');
    this.root.classList.toggle('is-failed', status === 'failed');
    this.label.textContent = label;
    this.note.replaceChildren(...(Array.isArray(note) ? note : [note]));
    this.note.hidden = !this.note.textContent;
  }

  progress(finished, total, text) {
    this.bar.hidden = false;
    this.bar.setAttribute('aria-valuemax', String(total));
    this.bar.setAttribute('aria-valuenow', String(finished));
    this.bar.setAttribute('aria-valuetext', text);
    this.fill.style.width = `${total ? Math.round((finished / total) * 100) : 0}%`;
    this.text.textContent = text;
  }

  hide() {
    this.root.hidden = true;
  }
}

export function setupGoogle({ userId, onPhotosAdded, photoName }) {
  const pickerKey = `classify.google.picker.${userId}`;
  const albumKey = `classify.google.album.${userId}`;
  const banner = $('#google-banner');
  const bannerBody = $('#google-banner-body');
  const reasons = { pick: $('#menu-pick-reason'), album: $('#menu-album-reason') };
  /** One reason for every item when the whole link to Google is gone (expired, not linked). */
  const accessReason = $('#menu-google-access-reason');
  const items = { pick: $('#menu-pick'), sync: $('#menu-sync'), album: $('#menu-album') };

  const sync = new Panel('google-sync');
  const syncOpen = $('#google-sync-open');
  const syncCancel = $('#google-sync-cancel');
  const syncDismiss = $('#google-sync-dismiss');

  const album = new Panel('google-album');
  const albumLink = $('#google-album-link');
  const albumRetry = $('#google-album-retry');
  const albumDismiss = $('#google-album-dismiss');
  const albumFailures = $('#google-album-failures');

  const dialog = $('#album-dialog');
  const form = $('#album-form');
  const nameInput = $('#album-name');
  const formError = $('#album-error');
  const submit = $('#album-submit');

  const state = {
    /** 'idle' | 'waiting' (for the person to pick) | 'syncing' */
    picker: 'idle',
    /** Bumped to stop the current wait for a pick. */
    waitGeneration: 0,
    albumBusy: false,
    lastAlbumTitle: null,
  };

  // ---------- Status: banner and menu ----------

  function setItem(name, reason, reasonNode) {
    const item = items[name];
    if (!item) return;
    if (reason) {
      item.setAttribute('aria-disabled', 'true');
      item.setAttribute('aria-describedby', reasonNode.id);
    } else {
      item.removeAttribute('aria-disabled');
      item.removeAttribute('aria-describedby');
    }
  }

  function applyStatus(status) {
    document.body.dataset.googleStatus = status.needs_reauth
      ? 'needs_reauth'
      : !status.connected
        ? 'not_connected'
        : status.missing?.length
          ? 'missing'
          : 'ok';
    const missing = new Map((status.missing ?? []).map((m) => [m.feature, m.message]));
    const whole = !status.connected || status.needs_reauth ? status.message || 'Sign in with Google again.' : null;
    accessReason.textContent = whole ?? '';
    accessReason.hidden = !whole;
    for (const [feature, names] of Object.entries(FEATURE_ITEMS)) {
      const own = whole ? null : missing.get(feature) ?? null;
      const node = reasons[feature];
      node.textContent = own ?? '';
      node.hidden = !own;
      for (const name of names) setItem(name, whole ?? own, whole ? accessReason : node);
    }

    const link = (text) => h('a', { href: SIGN_IN, class: 'banner-link', id: 'google-banner-signin' }, text);
    if (status.needs_reauth) {
      banner.dataset.kind = 'reauth';
      bannerBody.replaceChildren(h('p', null, 'Google access expired — ', link('Sign in with Google again'), '.'));
    } else if (!status.connected) {
      banner.dataset.kind = 'not_connected';
      bannerBody.replaceChildren(h('p', null, `${status.message || 'This account is not linked to Google.'} `, link('Sign in with Google'), '.'));
    } else if (missing.size) {
      banner.dataset.kind = 'missing';
      const messages = [...missing].map(([feature, message]) => [feature, message]);
      bannerBody.replaceChildren(
        messages.length === 1
          ? h('p', { class: 'banner-message', dataset: { feature: messages[0][0] } }, messages[0][1])
          : h('ul', { class: 'banner-list' }, messages.map(([feature, message]) => h('li', { dataset: { feature } }, message))),
        h(
          'p',
          null,
          `To turn ${messages.length === 1 ? 'it' : 'them'} on, `,
          link('sign in with Google again'),
          ` and leave ${messages.length === 1 ? 'that permission' : 'those permissions'} ticked.`,
        ),
      );
    } else {
      delete banner.dataset.kind;
      bannerBody.replaceChildren();
    }
    banner.hidden = !banner.dataset.kind;
  }

  async function refreshStatus() {
    try {
      applyStatus(await api('google/status'));
    } catch (error) {
      notifyError(error, 'Could not check your Google access');
    }
  }

  /** Shows an API error; when it is about Google access, the banner and menu follow. */
  function report(error, prefix) {
    notifyError(error, prefix);
    if (ACCESS_CODES.has(error?.code)) refreshStatus();
  }

  function refuse(name) {
    const item = items[name];
    if (item?.getAttribute('aria-disabled') !== 'true') return false;
    notify($(`#${item.getAttribute('aria-describedby')}`)?.textContent || 'Not available.');
    return true;
  }

  // ---------- Picking and syncing ----------

  const pickerSaved = () => stored(pickerKey);
  const savePicker = (value) => store(pickerKey, value);

  function showOpenLink(uri, blocked) {
    syncOpen.href = uri;
    syncOpen.hidden = false;
    syncOpen.textContent = blocked ? 'Open Google Photos' : 'Open Google Photos again';
    syncOpen.classList.toggle('button-primary', blocked);
  }

  function showWaiting(saved, { blocked = false, again = false } = {}) {
    state.picker = 'waiting';
    sync.bar.hidden = true;
    sync.text.textContent = '';
    syncCancel.hidden = false;
    syncDismiss.hidden = true;
    const note = blocked
      ? 'Your browser did not open a new tab. Open Google Photos with the button, pick your photos there and press Done.'
      : again
        ? 'You have not finished picking yet. Pick your photos in the Google Photos tab and press Done.'
        : 'Pick your photos in the Google Photos tab and press Done; this page notices by itself.';
    sync.show('waiting', 'Waiting for you to pick in Google Photos…', note);
    showOpenLink(saved.uri, blocked);
  }

  function finishPanel(status, label, note) {
    state.picker = 'idle';
    syncCancel.hidden = true;
    syncOpen.hidden = true;
    syncDismiss.hidden = false;
    sync.show(status, label, note);
  }

  /** Opens a tab at once, while the click still counts as the person's (popup blockers). */
  function openBlankTab() {
    let tab = null;
    try {
      tab = window.open('', '_blank');
    } catch {
      tab = null;
    }
    if (!tab) return null;
    try {
      tab.opener = null;
      tab.document.title = 'Google Photos';
      tab.document.body.textContent = 'Opening Google Photos…';
    } catch {
      // Nothing to do: the tab just stays blank until it is sent to Google.
    }
    return tab;
  }

  async function pick() {
    if (refuse('pick')) return;
    if (state.picker !== 'idle') {
      notify(state.picker === 'syncing' ? 'Photos are syncing from Google Photos: wait for it to finish.' : 'Already waiting for you to pick in Google Photos.');
      sync.root.scrollIntoView({ block: 'nearest' });
      return;
    }
    const tab = openBlankTab();
    state.picker = 'starting';
    let session;
    try {
      session = await api('photos/google/picker-sessions', { method: 'POST' });
    } catch (error) {
      state.picker = 'idle';
      tab?.close();
      report(error, 'Could not start picking in Google Photos');
      return;
    }
    const uri = `${session.picker_uri.replace(/\/+$/, '')}/autoclose`;
    const timeout = (session.poll_timeout_seconds ?? 1800) * 1000;
    const saved = {
      id: session.session_id,
      uri,
      deadline: Date.now() + timeout,
      interval: session.poll_interval_seconds ?? 5,
      synced: false,
    };
    savePicker(saved);
    let opened = false;
    if (tab && !tab.closed) {
      try {
        tab.location.replace(uri);
        opened = true;
      } catch {
        tab.close();
      }
    }
    showWaiting(saved, { blocked: !opened });
    await waitForPick(saved);
  }

  /** Polls the session (its own interval, up to its timeout) until the person is done. */
  async function waitForPick(saved) {
    const generation = ++state.waitGeneration;
    let interval = Math.max(1, saved.interval ?? 5) * 1000;
    let misses = 0;
    for (;;) {
      await sleep(interval);
      if (generation !== state.waitGeneration) return;
      if (Date.now() > saved.deadline) {
        savePicker(null);
        finishPanel('failed', 'Picking timed out', 'Google Photos stopped waiting for your pick. Choose Pick Photos to start again.');
        return;
      }
      let session;
      try {
        session = await api(`photos/google/picker-sessions/${encodeURIComponent(saved.id)}`);
        misses = 0;
      } catch (error) {
        if (generation !== state.waitGeneration) return;
        if (error.code === 'session_expired' || error.code === 'not_found') {
          savePicker(null);
          finishPanel('failed', 'Picking expired', 'That Google Photos pick has expired. Choose Pick Photos to start again.');
          return;
        }
        if (ACCESS_CODES.has(error.code) || ++misses >= MISSES_ALLOWED) {
          finishPanel('failed', 'Stopped waiting for Google Photos', error.message);
          report(error, 'Could not check your pick');
          return;
        }
        continue;
      }
      if (generation !== state.waitGeneration) return;
      if (session.media_items_set) {
        await startSync(saved);
        return;
      }
      if (session.poll_interval_seconds) interval = Math.max(1, session.poll_interval_seconds) * 1000;
    }
  }

  function stopWaiting() {
    if (state.picker !== 'waiting') return;
    state.waitGeneration += 1;
    finishPanel('cancelled', 'Stopped waiting', 'If you finish picking in Google Photos anyway, choose Sync Photos in the menu to add those photos.');
    syncDismiss.focus();
  }

  function showSyncProgress(status) {
    const finished = (status.done ?? 0) + (status.failed ?? 0);
    const total = status.total ?? 0;
    sync.progress(finished, total, `Syncing ${formatCount(finished)} of ${formatCount(total)}`);
  }

  /** Syncs a picked session: its job's progress, then the gallery and counts. */
  async function startSync(saved) {
    state.picker = 'syncing';
    state.waitGeneration += 1;
    syncCancel.hidden = true;
    syncOpen.hidden = true;
    syncDismiss.hidden = true;
    sync.show('running', 'Syncing from Google Photos…');
    let job;
    try {
      job = await api(`photos/google/picker-sessions/${encodeURIComponent(saved.id)}/sync`, { method: 'POST' });
    } catch (error) {
      if (error.code === 'not_picked_yet') {
        showWaiting(saved, { again: true });
        await waitForPick(saved);
        return;
      }
      if (error.code === 'session_expired' || error.code === 'not_found') savePicker(null);
      finishPanel('failed', 'Sync failed', error.message);
      report(error, 'Could not sync from Google Photos');
      return;
    }
    savePicker({ ...saved, jobId: job.job_id });
    await followSync(saved, job);
  }

  async function followSync(saved, job) {
    state.picker = 'syncing';
    syncCancel.hidden = true;
    syncOpen.hidden = true;
    syncDismiss.hidden = true;
    sync.show('running', 'Syncing from Google Photos…');
    showSyncProgress({ total: job.total, done: 0, failed: 0 });
    let final;
    try {
      final = job.total ? await track(job.job_id, showSyncProgress) : { status: 'done', total: 0, done: 0, failed: 0, errors: [] };
    } catch (error) {
      finishPanel('failed', 'Sync stopped', error.message);
      report(error, 'Could not follow the sync');
      return;
    }
    savePicker({ ...saved, jobId: job.job_id, synced: true });
    const finished = (final.done ?? 0) + (final.failed ?? 0);
    sync.progress(finished, final.total ?? 0, `${formatCount(final.done ?? 0)} of ${formatCount(final.total ?? 0)} added`);
    const problems = (final.errors ?? []).map((failure) => failure.error);
    if (final.status === 'failed') {
      finishPanel('failed', 'Sync failed', `No photo could be added from Google Photos. ${problems[0] ?? ''}`.trim());
    } else {
      const label = final.total ? `Synced ${plural(final.done, 'photo')} from Google Photos` : 'Nothing new to sync';
      const note = final.total
        ? 'Press “Detect blur on all” to score them.'
        : 'The photos you picked are already in Classify.';
      finishPanel('done', label, note);
      if (final.done) notify(`Added ${plural(final.done, 'photo')} from Google Photos.`, { kind: 'success' });
      if (!problems.length) {
        // Like the blur progress: a clean finish goes away by itself.
        const shown = sync.root.dataset.status;
        setTimeout(() => {
          if (state.picker === 'idle' && sync.root.dataset.status === shown && !sync.root.contains(document.activeElement)) sync.hide();
        }, 10000);
      }
    }
    if (problems.length) {
      notify(`${plural(problems.length, 'photo')} could not be synced:`, { kind: 'error', details: problems });
    }
    await onPhotosAdded?.();
  }

  async function syncLast() {
    if (refuse('sync')) return;
    if (state.picker === 'waiting') {
      notify('Still waiting for you to pick in Google Photos.');
      return;
    }
    if (state.picker !== 'idle') {
      notify('Photos are syncing from Google Photos: wait for it to finish.');
      return;
    }
    const saved = pickerSaved();
    if (!saved || saved.synced) {
      notify('Pick photos first: choose Pick Photos, pick in Google Photos and press Done.');
      return;
    }
    state.picker = 'starting';
    let session;
    try {
      session = await api(`photos/google/picker-sessions/${encodeURIComponent(saved.id)}`);
    } catch (error) {
      state.picker = 'idle';
      if (error.code === 'session_expired' || error.code === 'not_found') {
        savePicker(null);
        notify('Your last pick has expired. Choose Pick Photos to pick again.', { kind: 'error' });
        return;
      }
      report(error, 'Could not sync from Google Photos');
      return;
    }
    if (session.sync_job_id) {
      await resumeJob(saved, session.sync_job_id, { announce: true });
      return;
    }
    if (!session.media_items_set) {
      // Still open at Google: wait again, as long as it now says.
      saved.deadline = Date.now() + (session.poll_timeout_seconds ?? 600) * 1000;
      saved.interval = session.poll_interval_seconds ?? saved.interval;
      savePicker(saved);
      showWaiting(saved, { again: true });
      await waitForPick(saved);
      return;
    }
    await startSync(saved);
  }

  /** A sync job started earlier (before a reload): followed when still running. */
  async function resumeJob(saved, jobId, { announce = false } = {}) {
    let status;
    try {
      status = await api(`blur/jobs/${encodeURIComponent(jobId)}`);
    } catch {
      status = null;
    }
    if (status && (status.status === 'queued' || status.status === 'running')) {
      await followSync(saved, { job_id: jobId, total: status.total });
      return;
    }
    state.picker = 'idle';
    savePicker({ ...saved, jobId, synced: true });
    if (announce) notify('Your last pick is already synced. Pick photos first to add more.');
  }

  // ---------- The album of clear photos ----------

  const albumSaved = () => stored(albumKey);

  function openAlbumDialog() {
    if (refuse('album')) return;
    if (state.albumBusy) {
      notify('An album is being created: wait for it to finish.');
      album.root.scrollIntoView({ block: 'nearest' });
      return;
    }
    formError.hidden = true;
    formError.textContent = '';
    nameInput.placeholder = datedTitle();
    nameInput.value = '';
    dialog.showModal();
    nameInput.focus();
  }

  function albumMessage(error) {
    if (error.code === 'no_clear_photos') {
      return 'No photo is clear yet: press “Detect blur on all” first, then create the album.';
    }
    return error.message;
  }

  async function startAlbum(title) {
    const userPath = encodeURIComponent(userId);
    return api(`photos/google/unblurred-album/${userPath}`, { method: 'POST', json: title ? { title } : {} });
  }

  async function failureLines(errors) {
    const lines = [];
    for (const [photoId, message] of Object.entries(errors ?? {})) {
      let name = photoName?.(photoId);
      if (!name) {
        try {
          name = (await api(`photos/${encodeURIComponent(photoId)}`))?.photos?.[0]?.filename;
        } catch {
          name = null;
        }
      }
      lines.push(`${name ?? photoId}: ${message}`);
    }
    return lines;
  }

  function showAlbumProgress(progress) {
    const finished = (progress.done ?? 0) + (progress.failed ?? 0);
    const total = progress.total ?? 0;
    album.progress(finished, total, `Adding ${formatCount(finished)} of ${formatCount(total)} clear photos`);
  }

  async function followAlbum(progress) {
    state.albumBusy = true;
    state.lastAlbumTitle = progress.title;
    store(albumKey, { id: progress.album_id, title: progress.title });
    albumLink.hidden = true;
    albumRetry.hidden = true;
    albumDismiss.hidden = true;
    albumFailures.hidden = true;
    albumFailures.replaceChildren();
    album.show('running', `Creating the album “${progress.title}”…`);
    showAlbumProgress(progress);
    let current = progress;
    let misses = 0;
    try {
      while (current.status === 'queued' || current.status === 'running') {
        await sleep(ALBUM_POLL_MS);
        try {
          current = await api(`photos/google/albums/${encodeURIComponent(progress.album_id)}`);
          misses = 0;
        } catch (error) {
          if (error.status === 404 || ++misses >= MISSES_ALLOWED) throw error;
          continue;
        }
        album.root.dataset.status = current.status;
        showAlbumProgress(current);
      }
    } catch (error) {
      state.albumBusy = false;
      album.show('failed', 'Lost track of the album', error.message);
      albumDismiss.hidden = false;
      report(error, 'Could not follow the album');
      return;
    }
    state.albumBusy = false;
    album.progress(
      (current.done ?? 0) + (current.failed ?? 0),
      current.total ?? 0,
      `${formatCount(current.done ?? 0)} of ${formatCount(current.total ?? 0)} added`,
    );
    const failures = await failureLines(current.errors);
    albumFailures.replaceChildren(...failures.map((line) => h('li', null, line)));
    albumFailures.hidden = !failures.length;
    albumDismiss.hidden = false;
    if (current.status === 'done') {
      const added = `${plural(current.done, 'clear photo')} added`;
      const skipped = current.failed ? `; ${plural(current.failed, 'photo')} could not be added:` : '.';
      album.show('done', `Album “${current.title}” is ready`, `${added}${skipped}`);
      albumRetry.textContent = 'Retry the failed photos';
      albumRetry.hidden = !current.failed;
      if (current.product_url) {
        albumLink.href = current.product_url;
        albumLink.hidden = false;
      }
      notify(`Album “${current.title}” is ready in Google Photos.`, { kind: 'success' });
    } else {
      const why = current.error || (failures.length ? 'Google did not accept the photos.' : 'The album job failed.');
      album.show('failed', 'The album stopped', `${why} Try again to continue the same album.`);
      albumRetry.textContent = 'Try again';
      albumRetry.hidden = false;
      if (current.product_url) {
        albumLink.href = current.product_url;
        albumLink.hidden = false;
      }
    }
    store(albumKey, null);
  }

  async function retryAlbum() {
    if (state.albumBusy) return;
    albumRetry.disabled = true;
    try {
      await followAlbum(await startAlbum(state.lastAlbumTitle));
    } catch (error) {
      album.show('failed', 'The album stopped', albumMessage(error));
      albumDismiss.hidden = false;
      report(error, 'Could not continue the album');
    } finally {
      albumRetry.disabled = false;
    }
  }

  $('#album-cancel').addEventListener('click', () => dialog.close());
  // Back to where the dialog was opened from (the menu item it came from is hidden by then).
  dialog.addEventListener('close', () => $('#user-menu-button')?.focus());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (state.albumBusy) return;
    const title = nameInput.value.trim();
    formError.hidden = true;
    submit.disabled = true;
    submit.textContent = 'Creating…';
    let progress;
    try {
      progress = await startAlbum(title);
    } catch (error) {
      if (error?.name !== 'ApiError') throw error;
      formError.textContent = albumMessage(error);
      formError.hidden = false;
      nameInput.focus();
      if (ACCESS_CODES.has(error.code)) refreshStatus();
      return;
    } finally {
      submit.disabled = false;
      submit.textContent = 'Create';
    }
    state.albumBusy = true;
    dialog.close();
    album.root.scrollIntoView({ block: 'nearest' });
    await followAlbum(progress);
  });

  syncCancel.addEventListener('click', stopWaiting);
  syncDismiss.addEventListener('click', () => {
    sync.hide();
    $('#user-menu-button')?.focus();
  });
  albumRetry.addEventListener('click', retryAlbum);
  albumDismiss.addEventListener('click', () => {
    album.hide();
    $('#user-menu-button')?.focus();
  });

  // ---------- Start: status, and anything left running before a reload ----------

  async function resume() {
    const saved = pickerSaved();
    if (saved && !saved.synced && state.picker === 'idle') {
      if (saved.jobId) {
        state.picker = 'starting';
        await resumeJob(saved, saved.jobId);
      } else if (Date.now() < (saved.deadline ?? 0)) {
        // The page was reloaded while the person was picking: keep waiting.
        showWaiting(saved);
        await waitForPick(saved);
      }
    }
  }

  async function resumeAlbum() {
    const saved = albumSaved();
    if (!saved || state.albumBusy) return;
    try {
      const progress = await api(`photos/google/albums/${encodeURIComponent(saved.id)}`);
      if (progress.status === 'queued' || progress.status === 'running') await followAlbum(progress);
      else store(albumKey, null);
    } catch {
      store(albumKey, null);
    }
  }

  refreshStatus();
  resume();
  resumeAlbum();

  return { pick, sync: syncLast, album: openAlbumDialog, refreshStatus };
}
