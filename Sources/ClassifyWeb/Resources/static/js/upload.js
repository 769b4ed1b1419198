// Getting photos in: the file picker, drag-and-drop anywhere on the page, and (local mode)
// importing a folder on the server's machine.

import { importFolder, uploadFiles } from './api.js';
import { plural } from './format.js';
import { notify, notifyError } from './toast.js';

// One request carries at most this much, so a big selection moves in steps with honest progress.
const BATCH_BYTES = 48 * 1024 * 1024;
const BATCH_FILES = 40;

function batches(files) {
  const result = [];
  let current = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length && (bytes + file.size > BATCH_BYTES || current.length >= BATCH_FILES)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.size;
  }
  if (current.length) result.push(current);
  return result;
}

export class Uploader {
  constructor({ panel, label, text, bar, fill, onUploaded }) {
    Object.assign(this, { panel, label, text, bar, fill, onUploaded });
    this.active = false;
  }

  progress(sent, total, message) {
    const percent = total ? Math.round((sent / total) * 100) : 0;
    this.bar.setAttribute('aria-valuenow', String(percent));
    this.fill.style.width = `${percent}%`;
    this.text.textContent = message ?? `${percent}%`;
  }

  async upload(fileList) {
    const files = [...fileList];
    if (!files.length) return;
    if (this.active) {
      notify('An upload is already running. Wait for it to finish, then add more.');
      return;
    }
    this.active = true;
    const totalBytes = files.reduce((sum, file) => sum + file.size, 0) || 1;
    let doneBytes = 0;
    const stored = [];
    const refused = [];
    this.panel.hidden = false;
    this.panel.dataset.status = 'running';
    this.label.textContent = `Uploading ${plural(files.length, 'photo')}…`;
    this.progress(0, totalBytes);
    try {
      for (const batch of batches(files)) {
        const batchBytes = batch.reduce((sum, file) => sum + file.size, 0);
        try {
          const result = await uploadFiles(batch, (sent, total) =>
            this.progress(doneBytes + (sent / total) * batchBytes, totalBytes),
          );
          stored.push(...(result.photos ?? []));
          refused.push(...(result.errors ?? []).map((e) => `${e.filename}: ${e.error}`));
        } catch (error) {
          if (error.status === 401) throw error;
          // A batch refused whole (not images, too large) names why; the next batch still goes.
          refused.push(batch.length === 1 ? error.message : `${plural(batch.length, 'file')}: ${error.message}`);
        }
        doneBytes += batchBytes;
        this.progress(doneBytes, totalBytes);
      }
      this.panel.dataset.status = 'done';
      this.label.textContent = 'Upload finished';
      this.progress(1, 1, `${plural(stored.length, 'photo')} added`);
      if (stored.length) {
        notify(`Uploaded ${plural(stored.length, 'photo')}. Press “Detect blur on all” to score them.`, {
          kind: 'success',
        });
      }
      if (refused.length) {
        notify(`${plural(refused.length, 'file')} could not be added:`, { kind: 'error', details: refused });
      }
      if (stored.length) await this.onUploaded?.(stored);
    } catch (error) {
      this.panel.dataset.status = 'failed';
      notifyError(error, 'Upload failed');
    } finally {
      this.active = false;
      setTimeout(() => {
        if (!this.active) this.panel.hidden = true;
      }, 2500);
    }
  }
}

/** Shows the drop target while files are dragged over the window; a drop uploads them. */
export function setupDropZone({ overlay, onFiles }) {
  let depth = 0;
  const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');
  window.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth += 1;
    overlay.hidden = false;
  });
  window.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  window.addEventListener('drop', (event) => {
    depth = 0;
    overlay.hidden = true;
    if (!event.dataTransfer?.files?.length) return;
    event.preventDefault();
    onFiles(event.dataTransfer.files);
  });
}

/**
 * The "Import a folder" dialog (local mode). Once the server accepts the folder the dialog
 * closes and the uploader's progress panel follows the import file by file.
 */
export function setupImport({ dialog, form, input, error, cancel, submit, uploader, onImported }) {
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const path = input.value.trim();
    if (!path) return;
    if (uploader.active) {
      notify('An upload is already running. Wait for it to finish, then import.');
      return;
    }
    error.hidden = true;
    submit.disabled = true;
    submit.textContent = 'Importing…';
    let accepted = false;
    try {
      const result = await importFolder(path, (done, total) => {
        if (!accepted) {
          accepted = true;
          uploader.active = true;
          dialog.close();
          uploader.panel.hidden = false;
          uploader.panel.dataset.status = 'running';
          uploader.label.textContent = `Importing ${plural(total, 'file')}…`;
        }
        uploader.progress(done, total, `${done} of ${total}`);
      });
      uploader.panel.dataset.status = 'done';
      uploader.label.textContent = 'Import finished';
      uploader.progress(1, 1, `${plural(result.imported ?? 0, 'photo')} added`);
      const problems = (result.errors ?? []).map((e) => `${e.path}: ${e.error}`);
      const already = result.existing ? ` (${plural(result.existing, 'photo')} already in Classify)` : '';
      notify(`Imported ${plural(result.imported ?? 0, 'photo')}${already}.`, { kind: 'success' });
      if (problems.length) notify(`${plural(problems.length, 'file')} could not be imported:`, { kind: 'error', details: problems });
      await onImported?.(result);
    } catch (failure) {
      if (failure?.name !== 'ApiError') throw failure;
      if (accepted) {
        uploader.panel.dataset.status = 'failed';
        notifyError(failure, 'Import failed');
        await onImported?.(null);
      } else {
        error.textContent = failure.message;
        error.hidden = false;
        input.focus();
      }
    } finally {
      submit.disabled = false;
      submit.textContent = 'Import';
      if (accepted) {
        uploader.active = false;
        setTimeout(() => {
          if (!uploader.active) uploader.panel.hidden = true;
        }, 2500);
      }
    }
  });
  return {
    open() {
      error.hidden = true;
      dialog.showModal();
      input.focus();
      input.select();
    },
  };
}
