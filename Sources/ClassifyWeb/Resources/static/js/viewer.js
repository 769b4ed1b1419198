// The photo view: a modal <dialog> with the display-size image, its sharpness map laid over it
// (green where sharp, red where blurred, nothing where there is too little texture to judge),
// the shake direction as a line, and the verdict, then the AI tags and caption (a tag chip
// filters the gallery). ← / → move through the gallery, Esc closes.

import { api } from './api.js';
import { $, fillFacts, h, s } from './dom.js';
import { formatDate, formatMs, formatScore, typeName, verdict } from './format.js';
import { tagList } from './tags.js';
import { notifyError } from './toast.js';

/** Colour of a sharpness cell: red (0, blurred) through yellow to green (1, sharp). */
export function cellColour(value) {
  const clamped = Math.min(1, Math.max(0, value));
  return `hsla(${Math.round(clamped * 120)}, 85%, 48%, 0.42)`;
}

export class Viewer {
  constructor({ dialog, gallery, threshold, onDetect, onDelete, onTag, taggingStatus }) {
    this.dialog = dialog;
    this.gallery = gallery;
    this.threshold = threshold;
    this.onDetect = onDetect;
    this.onDelete = onDelete;
    this.onTag = onTag;
    /** () => GET /api/v1/tags as last known (says why a photo has no tags). */
    this.taggingStatus = taggingStatus;
    this.index = -1;
    this.result = null;
    this.token = 0;
    this.el = {
      title: $('#viewer-title', dialog),
      position: $('#viewer-position', dialog),
      stage: $('.viewer-stage', dialog),
      image: $('#viewer-image', dialog),
      map: $('#sharpness', dialog),
      direction: $('#direction', dialog),
      verdict: $('#viewer-verdict', dialog),
      facts: $('#viewer-facts', dialog),
      tags: $('#viewer-tags', dialog),
      caption: $('#viewer-caption', dialog),
      toggle: $('#overlay-toggle', dialog),
      legend: $('#overlay-legend', dialog),
      detect: $('#viewer-detect', dialog),
      remove: $('#viewer-delete', dialog),
      confirm: $('#viewer-confirm', dialog),
      confirmYes: $('#viewer-delete-confirm', dialog),
      confirmNo: $('#viewer-delete-cancel', dialog),
      prev: $('#viewer-prev', dialog),
      next: $('#viewer-next', dialog),
      close: $('#viewer-close', dialog),
    };
    const { el } = this;
    el.close.addEventListener('click', () => dialog.close());
    el.prev.addEventListener('click', () => this.step(-1));
    el.next.addEventListener('click', () => this.step(1));
    el.toggle.addEventListener('change', () => dialog.classList.toggle('overlay-off', !el.toggle.checked));
    el.detect.addEventListener('click', () => this.photo && this.onDetect(this.photo.id, el.detect));
    el.remove.addEventListener('click', () => {
      el.confirm.hidden = false;
      el.confirmNo.focus();
    });
    el.confirmNo.addEventListener('click', () => {
      el.confirm.hidden = true;
      el.remove.focus();
    });
    el.confirmYes.addEventListener('click', () => this.deleteCurrent());
    el.image.addEventListener('load', () => {
      this.fit();
      this.drawDirection();
    });
    window.addEventListener('resize', () => this.isOpen && this.fit());
    dialog.addEventListener('keydown', (event) => {
      if (event.target.matches?.('input[type="range"], input[type="text"]')) return;
      if (event.key === 'ArrowLeft') {
        event.preventDefault();
        this.step(-1);
      } else if (event.key === 'ArrowRight') {
        event.preventDefault();
        this.step(1);
      }
    });
    dialog.addEventListener('close', () => {
      const id = this.photo?.id;
      this.index = -1;
      this.token += 1;
      el.image.removeAttribute('src');
      if (id) this.gallery.focusCard(id);
    });
    // A click on the backdrop (outside the dialog's box) closes it.
    dialog.addEventListener('click', (event) => {
      if (event.target === dialog) {
        const box = dialog.getBoundingClientRect();
        const inside =
          event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
        if (!inside) dialog.close();
      }
    });
  }

  get photo() {
    return this.gallery.photos[this.index];
  }

  get isOpen() {
    return this.dialog.open;
  }

  open(id) {
    const index = this.gallery.indexOf(id);
    if (index < 0) return;
    if (!this.dialog.open) this.dialog.showModal();
    this.show(index);
    this.el.close.focus();
  }

  async step(delta) {
    let target = this.index + delta;
    if (target >= this.gallery.photos.length && this.gallery.hasMore) {
      await this.gallery.loadMore();
    }
    target = Math.max(0, Math.min(this.gallery.photos.length - 1, target));
    if (target !== this.index) this.show(target);
  }

  setThreshold(threshold) {
    this.threshold = threshold;
    if (this.isOpen && this.photo) this.renderVerdict();
  }

  /** Called when a photo changed (analysed); refreshes the view if it is the one shown. */
  refresh(id) {
    if (this.isOpen && this.photo?.id === id) this.show(this.index);
  }

  show(index) {
    const token = ++this.token;
    this.index = index;
    const photo = this.photo;
    const { el } = this;
    el.confirm.hidden = true;
    el.title.textContent = photo.filename;
    el.position.textContent = `${index + 1} of ${this.gallery.photos.length}${this.gallery.hasMore ? '+' : ''}`;
    el.prev.disabled = index === 0;
    el.next.disabled = index === this.gallery.photos.length - 1 && !this.gallery.hasMore;
    el.image.alt = photo.filename;
    el.image.src = photo.image_url;
    this.fit();
    el.map.replaceChildren();
    el.direction.replaceChildren();
    this.result = null;
    this.dialog.dataset.state = 'loading';
    this.renderVerdict();
    this.renderTags();
    if (photo.blur_score === null) {
      this.dialog.dataset.state = 'pending';
      return;
    }
    api(`photos/${encodeURIComponent(photo.id)}/result`)
      .then((result) => {
        if (token !== this.token) return;
        this.result = result;
        this.renderVerdict();
        this.drawMap(result.sharpness_map);
        this.drawDirection();
        this.dialog.dataset.state = 'ready';
      })
      .catch((error) => {
        if (token !== this.token) return;
        this.dialog.dataset.state = 'error';
        notifyError(error, 'Could not load the analysis');
      });
  }

  /**
   * Sizes the image to fit the stage, so the figure (and the map and line laid over it) is
   * exactly the image's box whichever side limits it.
   */
  fit() {
    const { el } = this;
    const width = el.image.naturalWidth || this.photo?.width;
    const height = el.image.naturalHeight || this.photo?.height;
    if (!width || !height) return;
    const limit = parseFloat(getComputedStyle(el.image).maxHeight);
    const availableHeight = Number.isFinite(limit) ? limit : window.innerHeight * 0.7;
    const style = getComputedStyle(el.stage);
    const availableWidth =
      el.stage.clientWidth - parseFloat(style.paddingLeft || '0') - parseFloat(style.paddingRight || '0');
    const scale = Math.min(availableWidth / width, availableHeight / height, 1);
    el.image.style.width = `${Math.max(1, Math.floor(width * scale))}px`;
    el.image.style.height = `${Math.max(1, Math.floor(height * scale))}px`;
  }

  renderVerdict() {
    const photo = this.photo;
    if (!photo) return;
    const { el } = this;
    const result = this.result;
    const v = verdict(photo, this.threshold);
    const type = result && result.blur_type !== 'none' ? result.blur_type : photo.known_type;
    el.verdict.replaceChildren(
      h('span', { class: `badge badge-${v.state}`, id: 'viewer-score' }, formatScore(v.score)),
      h('span', { class: 'verdict-text', id: 'viewer-verdict-text' }, v.label),
    );
    const pairs = [['Blur score', v.score === null ? 'not analysed yet' : formatScore(v.score), 'viewer-fact-score']];
    if (v.score !== null) {
      pairs.push(['Blur type', v.state === 'blurred' && type ? typeName(type) : 'none', 'viewer-fact-type']);
      const direction = result?.blur_direction_deg;
      if (direction !== null && direction !== undefined && v.state === 'blurred') {
        pairs.push(['Shake direction', `${Math.round(direction)}°`, 'viewer-fact-direction']);
      }
      pairs.push(['Processing time', result ? formatMs(result.processing_time_ms) : '…', 'viewer-fact-time']);
    }
    pairs.push(['Size', photo.width && photo.height ? `${photo.width} × ${photo.height}` : '—']);
    pairs.push(['Added', formatDate(photo.created_time)]);
    pairs.push(['Source', photo.source === 'google' ? 'Google Photos' : 'Uploaded or imported', 'viewer-fact-source']);
    if (photo.camera) pairs.push(['Camera', photo.camera, 'viewer-fact-camera']);
    fillFacts(el.facts, pairs);
    const analysed = v.score !== null;
    el.detect.textContent = analysed ? 'Detect blur again' : 'Detect blur';
    el.detect.classList.toggle('button-primary', !analysed);
    el.toggle.disabled = !analysed;
    el.legend.hidden = !analysed;
  }

  /** All the photo's tags as chips, and its caption (or why there are none). */
  renderTags() {
    const photo = this.photo;
    if (!photo) return;
    const { el } = this;
    const tags = photo.tags ?? [];
    el.caption.classList.toggle('is-missing', !photo.caption);
    if (photo.caption) {
      el.caption.textContent = photo.caption;
    } else {
      const status = this.taggingStatus?.();
      el.caption.textContent =
        status && !status.enabled ? 'Not tagged: AI tagging is off on this server.' : 'Not tagged yet: press “Tag photos” to describe it.';
    }
    el.tags.replaceChildren(
      ...(tags.length
        ? [tagList(tags, { activeTag: this.gallery.query?.tag, label: `Tags of ${photo.filename}`, onTag: (tag) => this.onTag?.(tag) })]
        : []),
    );
    el.tags.hidden = !tags.length;
  }

  drawMap(map) {
    const { el } = this;
    el.map.replaceChildren();
    if (!map || !map.columns || !map.rows) return;
    el.map.style.gridTemplateColumns = `repeat(${map.columns}, 1fr)`;
    el.map.style.gridTemplateRows = `repeat(${map.rows}, 1fr)`;
    const cells = map.values.map((value) => {
      const cell = h('div', { class: 'sharpness-cell' });
      if (value === null || value === undefined) cell.dataset.empty = '';
      else cell.style.backgroundColor = cellColour(value);
      return cell;
    });
    el.map.append(...cells);
  }

  /** The shake direction (degrees counter-clockwise from horizontal) as a double-headed line. */
  drawDirection() {
    const { el } = this;
    el.direction.replaceChildren();
    const degrees = this.result?.blur_direction_deg;
    if (degrees === null || degrees === undefined) return;
    const width = el.image.naturalWidth || this.photo?.width;
    const height = el.image.naturalHeight || this.photo?.height;
    if (!width || !height) return;
    el.direction.setAttribute('viewBox', `0 0 ${width} ${height}`);
    el.direction.setAttribute('preserveAspectRatio', 'none');
    const radians = (degrees * Math.PI) / 180;
    const length = 0.32 * Math.min(width, height);
    const dx = Math.cos(radians) * length;
    const dy = -Math.sin(radians) * length;
    const cx = width / 2;
    const cy = height / 2;
    const stroke = Math.max(2, Math.max(width, height) / 140);
    const head = stroke * 4;
    const arrow = (x, y, ux, uy) => {
      // Two short strokes back from the tip, 28° either side of the line.
      const back = (angle) => {
        const c = Math.cos(angle);
        const sn = Math.sin(angle);
        return [x - head * (ux * c - uy * sn), y - head * (ux * sn + uy * c)];
      };
      const [ax, ay] = back(0.5);
      const [bx, by] = back(-0.5);
      return `M${ax},${ay} L${x},${y} L${bx},${by}`;
    };
    const ux = dx / length;
    const uy = dy / length;
    const path = `M${cx - dx},${cy - dy} L${cx + dx},${cy + dy} ${arrow(cx + dx, cy + dy, ux, uy)} ${arrow(cx - dx, cy - dy, -ux, -uy)}`;
    el.direction.append(
      s('path', { d: path, class: 'direction-halo', fill: 'none', 'stroke-width': stroke * 2.2, 'stroke-linejoin': 'round' }),
      s('path', { d: path, class: 'direction-line', id: 'direction-line', fill: 'none', 'stroke-width': stroke, 'stroke-linejoin': 'round' }),
    );
  }

  async deleteCurrent() {
    const photo = this.photo;
    if (!photo) return;
    const { el } = this;
    el.confirmYes.disabled = true;
    try {
      await api(`photos/${encodeURIComponent(photo.id)}`, { method: 'DELETE' });
      const index = this.index;
      await this.onDelete(photo.id);
      if (!this.gallery.photos.length) {
        this.dialog.close();
      } else {
        this.show(Math.min(index, this.gallery.photos.length - 1));
        el.close.focus();
      }
    } catch (error) {
      notifyError(error, 'Could not delete the photo');
    } finally {
      el.confirmYes.disabled = false;
    }
  }
}
