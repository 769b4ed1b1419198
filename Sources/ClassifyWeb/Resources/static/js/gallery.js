// The gallery: a grid of photo cards for one filter, fetched a page at a time (next_cursor),
// with a "Load more" button that also loads by itself when it scrolls into view. Cards are
// re-labelled on the page as the threshold slider moves. A tag (?tag=) and words (?q=) narrow
// any filter; each card shows its first AI tags as chips that filter by that tag.

import { api } from './api.js';
import { h, s } from './dom.js';
import { formatScore, verdict } from './format.js';
import { CARD_TAGS, tagList } from './tags.js';
import { notifyError } from './toast.js';

const PAGE_SIZE = 50;
const AGAIN_ICON =
  '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M13 8a5 5 0 1 1-1.5-3.6M13 2.5v3h-3" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/></svg>';

/** The small "Google Photos" mark on cards of photos synced from Google Photos. */
export function googleBadge() {
  const icon = s(
    'svg',
    { class: 'source-icon', viewBox: '0 0 16 16', width: 12, height: 12, 'aria-hidden': 'true' },
    s('path', { d: 'M8 8V1.5A3.25 3.25 0 0 1 8 8z', fill: '#ea4335' }),
    s('path', { d: 'M8 8h6.5A3.25 3.25 0 0 1 8 8z', fill: '#4285f4' }),
    s('path', { d: 'M8 8v6.5A3.25 3.25 0 0 1 8 8z', fill: '#34a853' }),
    s('path', { d: 'M8 8H1.5A3.25 3.25 0 0 1 8 8z', fill: '#fbbc04' }),
  );
  return h('span', { class: 'source-badge', title: 'From Google Photos' }, icon, h('span', { class: 'source-badge-text' }, 'Google Photos'));
}

/** A photo from the API, with the kind of blur remembered when the server named one. */
export function normalise(photo, previous) {
  const type = photo.blur_type ?? null;
  return {
    ...photo,
    blur_score: photo.blur_score ?? null,
    is_blurred: photo.is_blurred ?? null,
    blur_type: type,
    known_type: photo.likely_type ?? (type && type !== 'none' ? type : previous?.known_type ?? null),
    tags: Array.isArray(photo.tags) ? photo.tags : previous?.tags ?? [],
    caption: photo.caption ?? null,
  };
}

export class Gallery {
  constructor({ grid, more, loadMore, loading, onOpen, onDetect, onLoaded, onTag, threshold }) {
    this.grid = grid;
    this.more = more;
    this.loadMoreButton = loadMore;
    this.loading = loading;
    this.onOpen = onOpen;
    this.onDetect = onDetect;
    this.onLoaded = onLoaded;
    this.onTag = onTag;
    /** The tag and the words the gallery is narrowed to (null: none). */
    this.query = { tag: null, q: null };
    this.threshold = threshold;
    this.photos = [];
    this.filter = null;
    this.cursor = null;
    this.generation = 0;
    this.busy = false;
    /** Every analysed score seen, by photo id: lets the page count labels exactly. */
    this.scores = new Map();

    this.loadMoreButton.addEventListener('click', () => this.loadMore());
    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting) && this.cursor && !this.busy) this.loadMore();
      },
      { rootMargin: '400px' },
    );
    this.observer.observe(this.more);
  }

  get hasMore() {
    return this.cursor !== null;
  }

  /** Shows the first page of `filter` (narrowed to `tag` and `q`), replacing what was there. */
  async load(filter, { tag = null, q = null } = {}) {
    this.filter = filter;
    this.query = { tag: tag || null, q: q || null };
    this.cursor = null;
    this.photos = [];
    const generation = ++this.generation;
    this.grid.replaceChildren();
    this.more.hidden = true;
    this.grid.setAttribute('aria-busy', 'true');
    await this.fetchPage(generation, null);
  }

  /** Fetches the next page, when there is one. A failure is told, and the button stays to retry. */
  async loadMore() {
    if (!this.cursor || this.busy) return;
    try {
      await this.fetchPage(this.generation, this.cursor);
    } catch (error) {
      notifyError(error, 'Could not load more photos');
    }
  }

  async fetchPage(generation, cursor) {
    this.busy = true;
    this.loading.hidden = false;
    this.loadMoreButton.disabled = true;
    try {
      const { tag, q } = this.query;
      const page = await api('photos', { query: { filter: this.filter, limit: PAGE_SIZE, cursor, tag, q } });
      if (generation !== this.generation) return;
      const added = page.photos.map((photo) => normalise(photo));
      for (const photo of added) this.remember(photo);
      this.photos.push(...added);
      this.grid.append(...added.map((photo) => this.card(photo)));
      this.cursor = page.next_cursor ?? null;
      this.more.hidden = !this.cursor;
      this.onLoaded?.(this);
    } finally {
      if (generation === this.generation) {
        this.busy = false;
        this.loading.hidden = true;
        this.loadMoreButton.disabled = false;
        this.grid.removeAttribute('aria-busy');
      }
    }
  }

  remember(photo) {
    if (photo.blur_score === null) this.scores.delete(photo.id);
    else this.scores.set(photo.id, photo.blur_score);
  }

  indexOf(id) {
    return this.photos.findIndex((photo) => photo.id === id);
  }

  card(photo) {
    const open = h(
      'button',
      { class: 'card-open', type: 'button' },
      h('img', {
        src: photo.thumbnail_url,
        alt: '',
        loading: 'lazy',
        decoding: 'async',
        width: 320,
        height: 240,
      }),
      h('span', { class: 'badge' }),
      photo.source === 'google' ? googleBadge() : null,
    );
    open.addEventListener('click', () => this.onOpen(photo.id));
    const detect = h('button', { class: 'card-detect', type: 'button' });
    detect.addEventListener('click', (event) => {
      event.stopPropagation();
      this.onDetect(photo.id, detect);
    });
    const body = h(
      'div',
      { class: 'card-body' },
      h('div', { class: 'card-name', title: photo.filename }, photo.filename),
      h('div', { class: 'card-tags-box' }),
      h('div', { class: 'card-meta' }, h('span', { class: 'card-type' }), detect),
    );
    // The card's text opens the photo too (the button is the keyboard way in).
    body.addEventListener('click', () => this.onOpen(photo.id));
    const card = h('li', { class: 'card', dataset: { id: photo.id, source: photo.source ?? 'local' } }, open, body);
    this.label(card, photo);
    this.showTags(card, photo);
    return card;
  }

  /** The card's first few tags as chips (a chip filters by its tag), "+n" opens the photo. */
  showTags(card, photo) {
    const box = card.querySelector('.card-tags-box');
    const tags = photo.tags ?? [];
    card.dataset.tags = JSON.stringify(tags);
    box.replaceChildren(
      tags.length
        ? tagList(tags, {
            max: CARD_TAGS,
            activeTag: this.query.tag,
            label: `Tags of ${photo.filename}`,
            className: 'tag-list card-tags',
            onTag: (tag) => this.onTag?.(tag),
            onMore: () => this.onOpen(photo.id),
          })
        : '',
    );
  }

  /** Badge, colour and words for one card at the current threshold. */
  label(card, photo) {
    const v = verdict(photo, this.threshold);
    const badge = card.querySelector('.badge');
    badge.className = `badge badge-${v.state}`;
    badge.textContent = formatScore(v.score);
    card.querySelector('.card-type').textContent = v.label;
    card.dataset.state = v.state;
    card.dataset.score = v.score === null ? '' : String(v.score);
    const scoreText = v.score === null ? 'not analysed yet' : `blur score ${formatScore(v.score)}, ${v.label.toLowerCase()}`;
    const from = photo.source === 'google' ? ' (from Google Photos)' : '';
    card.querySelector('.card-open').setAttribute('aria-label', `Open ${photo.filename}${from}: ${scoreText}`);
    const leaving =
      (this.filter === 'blurred' && v.state === 'clear') || (this.filter === 'not_blurred' && v.state === 'blurred');
    card.classList.toggle('is-leaving', leaving);
    const detect = card.querySelector('.card-detect');
    if (!detect.disabled) this.labelDetect(detect, v.state === 'pending', photo.filename);
  }

  /** An unanalysed photo gets a worded button; an analysed one a small "again" icon. */
  labelDetect(button, pending, filename) {
    if (pending) {
      button.className = 'button button-small card-detect';
      button.removeAttribute('aria-label');
      button.removeAttribute('title');
      button.textContent = 'Detect blur';
    } else {
      button.className = 'icon-button card-detect card-detect-again';
      button.setAttribute('aria-label', `Detect blur again: ${filename}`);
      button.title = 'Detect blur again';
      button.innerHTML = AGAIN_ICON; // a constant, not data
    }
  }

  /** Re-labels every card for a new threshold, without asking the server. */
  relabel(threshold) {
    this.threshold = threshold;
    for (const card of this.grid.children) {
      const photo = this.photos[this.indexOf(card.dataset.id)];
      if (photo) this.label(card, photo);
    }
  }

  cardFor(id) {
    return this.grid.querySelector(`.card[data-id="${CSS.escape(id)}"]`);
  }

  /** Replaces one photo's data (after its analysis) and its card's labels. */
  update(photo) {
    const index = this.indexOf(photo.id);
    const merged = normalise(photo, index >= 0 ? this.photos[index] : undefined);
    this.remember(merged);
    if (index < 0) return merged;
    this.photos[index] = merged;
    const card = this.cardFor(photo.id);
    if (card) {
      this.label(card, merged);
      this.showTags(card, merged);
    }
    return merged;
  }

  remove(id) {
    const index = this.indexOf(id);
    if (index >= 0) this.photos.splice(index, 1);
    this.scores.delete(id);
    this.cardFor(id)?.remove();
    this.onLoaded?.(this);
  }

  focusCard(id) {
    this.cardFor(id)?.querySelector('.card-open')?.focus();
  }
}
