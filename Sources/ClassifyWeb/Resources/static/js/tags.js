// AI tags on the page (issue 5): tag chips on cards and in the photo view (a chip filters the
// gallery to its tag), the "Tag photos" button with its progress panel and failures, and the
// cost of tagging as the page shows it. Whether tagging is on comes from GET /api/v1/tags.

import { api } from './api.js';
import { h } from './dom.js';
import { formatCount, plural } from './format.js';
import { track } from './jobs.js';
import { notify, notifyError } from './toast.js';

/** Chips a card shows before "+n". */
export const CARD_TAGS = 4;

/** One clickable tag: it filters the gallery to that tag. */
export function tagChip(tag, { active = false, onTag } = {}) {
  const chip = h(
    'button',
    {
      class: active ? 'tag-chip is-active' : 'tag-chip',
      type: 'button',
      title: `Show the photos tagged “${tag}”`,
      'aria-label': `Show photos tagged ${tag}`,
      dataset: { tag },
    },
    tag,
  );
  chip.addEventListener('click', (event) => {
    event.stopPropagation();
    onTag?.(tag);
  });
  return chip;
}

/**
 * A list of tag chips. `max` keeps the first few and adds a "+n" button (`onMore`) for the rest.
 */
export function tagList(tags, { max = Infinity, activeTag = null, onTag, onMore, label, className = 'tag-list' } = {}) {
  const shown = tags.slice(0, max);
  const rest = tags.slice(shown.length);
  const items = shown.map((tag) => h('li', null, tagChip(tag, { active: tag === activeTag, onTag })));
  if (rest.length) {
    const more = h(
      'button',
      {
        class: 'tag-more',
        type: 'button',
        title: rest.join(', '),
        'aria-label': `${plural(rest.length, 'more tag')}: ${rest.join(', ')}`,
        dataset: { more: rest.length },
      },
      `+${rest.length}`,
    );
    more.addEventListener('click', (event) => {
      event.stopPropagation();
      onMore?.();
    });
    items.push(h('li', null, more));
  }
  return h('ul', { class: className, 'aria-label': label }, items);
}

/** The errors of a job as [photoId, reason]: a list of {photo_id, error} or an object by id. */
export function jobFailures(errors) {
  if (Array.isArray(errors)) return errors.map((failure) => [failure.photo_id, failure.error ?? failure.reason ?? '']);
  return Object.entries(errors ?? {});
}

/**
 * The "Tag photos" button, its reason when tagging is off, and the progress panel.
 * `filter()` is the blur filter of the current tab; `onTagged()` refreshes what shows tags.
 */
export function setupTagging({ button, reason, help, panel, filter, photoName, onTagged }) {
  const el = {
    root: panel,
    label: panel.querySelector('#tag-job-label'),
    text: panel.querySelector('#tag-job-text'),
    bar: panel.querySelector('#tag-job-progress'),
    fill: panel.querySelector('#tag-job-progress-fill'),
    note: panel.querySelector('#tag-job-note'),
    failures: panel.querySelector('#tag-job-failures'),
    dismiss: panel.querySelector('#tag-job-dismiss'),
    retry: panel.querySelector('#tag-job-retry'),
  };
  const state = { status: null, running: false, generation: 0, failedIds: [] };
  const buttonText = button.querySelector('.button-text') ?? button;

  /** Off (or not known yet): the button stays focusable and says why through aria-describedby. */
  function setOff(text, { visible = true } = {}) {
    button.setAttribute('aria-disabled', 'true');
    button.setAttribute('aria-describedby', reason.id);
    reason.textContent = text;
    reason.hidden = !visible;
  }

  function apply(status) {
    state.status = status;
    document.body.dataset.tagging = status.enabled ? 'on' : 'off';
    if (status.enabled) {
      reason.hidden = true;
      reason.textContent = '';
      button.setAttribute('aria-describedby', help.id);
      if (!state.running) button.removeAttribute('aria-disabled');
      help.textContent = `Adds AI tags and a caption (${status.model ?? 'vision model'}) to the photos in this view that have none yet.`;
    } else {
      setOff(`AI tagging is off: ${status.reason || 'not configured on this server'}.`.replace(/\.\.$/, '.'));
    }
  }

  async function refresh() {
    try {
      apply(await api('tags'));
    } catch (error) {
      if (!state.status) setOff('Could not check whether AI tagging is on. Reload the page to try again.');
      notifyError(error, 'Could not check AI tagging');
    }
    return state.status;
  }

  function show(status, label, note = '') {
    el.root.hidden = false;
    el.root.dataset.status = status;
    el.root.classList.toggle('is-done', status === 'done');
    el.root.classList.toggle('is-failed', status === 'failed');
    el.label.textContent = label;
    el.note.textContent = note;
  }

  function progress(job) {
    const done = job.done ?? 0;
    const failed = job.failed ?? 0;
    const finished = done + failed;
    const total = job.total ?? 0;
    const words = `Tagging ${formatCount(finished)} of ${formatCount(total)}`;
    const text = job.status === 'done' || job.status === 'failed'
      ? `${formatCount(done)} of ${formatCount(total)} tagged${failed ? `, ${formatCount(failed)} failed` : ''}`
      : words;
    el.bar.setAttribute('aria-valuemax', String(total));
    el.bar.setAttribute('aria-valuenow', String(finished));
    el.bar.setAttribute('aria-valuetext', text);
    el.fill.style.width = `${total ? Math.round((finished / total) * 100) : 0}%`;
    el.text.textContent = text;
    el.root.dataset.total = String(total);
    el.root.dataset.finished = String(finished);
  }

  async function failureLines(errors) {
    const lines = [];
    for (const [photoId, message] of jobFailures(errors)) {
      let name = photoName?.(photoId);
      if (!name) {
        try {
          name = (await api(`photos/${encodeURIComponent(photoId)}`))?.photos?.[0]?.filename;
        } catch {
          name = null;
        }
      }
      lines.push({ photoId, text: `${name ?? photoId}: ${message}` });
    }
    return lines;
  }

  function setBusy(busy) {
    state.running = busy;
    button.toggleAttribute('aria-busy', busy);
    buttonText.textContent = busy ? 'Tagging…' : 'Tag photos';
    if (busy) button.setAttribute('aria-disabled', 'true');
    else if (state.status?.enabled) button.removeAttribute('aria-disabled');
  }

  /** Tags the photos of the current tab that have no tags yet, or just `photoIds`. */
  async function run(photoIds = null) {
    if (state.running) {
      notify('Photos are being tagged: wait for it to finish.');
      return;
    }
    if (button.getAttribute('aria-disabled') === 'true') {
      notify(reason.textContent || 'AI tagging is not available.');
      return;
    }
    const generation = ++state.generation;
    setBusy(true);
    el.failures.hidden = true;
    el.failures.replaceChildren();
    el.dismiss.hidden = true;
    el.retry.hidden = true;
    show('queued', 'Tagging photos…');
    progress({ status: 'queued', total: 0, done: 0, failed: 0 });
    let final = null;
    try {
      const job = await api('tags/batch', { method: 'POST', json: photoIds ? { photo_ids: photoIds } : { filter: filter() } });
      el.root.dataset.jobId = job.job_id;
      if (!job.total) {
        progress({ status: 'done', total: 0, done: 0, failed: 0 });
        show('done', 'Nothing new to tag', 'Every photo in this view already has tags.');
        el.dismiss.hidden = false;
        autoHide(generation);
        return;
      }
      show('running', `Tagging photos with ${state.status?.model ?? 'the vision model'}…`);
      progress({ status: 'queued', total: job.total, done: 0, failed: 0 });
      final = await track(job.job_id, (status) => {
        el.root.dataset.status = status.status;
        progress(status);
      });
      progress(final);
      const lines = await failureLines(final.errors);
      el.failures.replaceChildren(...lines.map((line) => h('li', { dataset: { photoId: line.photoId } }, line.text)));
      el.failures.hidden = !lines.length;
      el.dismiss.hidden = false;
      state.failedIds = lines.map((line) => line.photoId);
      el.retry.hidden = !state.failedIds.length;
      if (final.status === 'done') {
        const note = final.failed ? `${plural(final.failed, 'photo')} could not be tagged:` : '';
        show('done', `Tagged ${plural(final.done ?? 0, 'photo')}`, note);
        if (!final.failed) autoHide(generation);
      } else {
        show('failed', 'Tagging stopped', lines.length ? 'No photo could be tagged:' : 'The tagging job failed.');
      }
    } catch (error) {
      show('failed', 'Tagging failed', error?.message ?? '');
      el.dismiss.hidden = false;
      if (error?.code === 'tagging_off') await refresh();
      notifyError(error, 'Could not tag the photos');
    } finally {
      setBusy(false);
    }
    if (final) await onTagged?.(final);
  }

  /** A clean finish goes away by itself, unless the person is reading it (focus inside). */
  function autoHide(generation) {
    setTimeout(() => {
      if (generation === state.generation && !state.running && !el.root.contains(document.activeElement)) {
        el.root.hidden = true;
      }
    }, 10000);
  }

  button.addEventListener('click', () => run());
  el.retry.addEventListener('click', () => run(state.failedIds));
  el.dismiss.addEventListener('click', () => {
    el.root.hidden = true;
    button.focus();
  });

  // Until GET /api/v1/tags answers, the button is off with a neutral reason.
  if (!state.status) setOff('Checking whether AI tagging is on…', { visible: false });

  return {
    refresh,
    apply,
    run,
    get status() {
      return state.status;
    },
    get running() {
      return state.running;
    },
  };
}
