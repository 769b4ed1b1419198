// Blur analysis jobs: start one, then poll its status about twice a second until it is done.

import { api } from './api.js';

const POLL_MS = 500;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Queues analysis of the given photos, or of every unprocessed photo when `photoIds` is absent. */
export function startBatch(photoIds) {
  return api('blur/analyze-batch', { method: 'POST', json: photoIds ? { photo_ids: photoIds } : {} });
}

/** Queues analysis of one photo. */
export function startOne(photoId) {
  return api(`photos/${encodeURIComponent(photoId)}/analyze`, { method: 'POST' });
}

/**
 * Polls a job until it is done or failed, calling `onProgress(status)` each time.
 * A few failed polls in a row (server restarting) are tolerated before giving up.
 */
export async function track(jobId, onProgress) {
  let misses = 0;
  for (;;) {
    let status;
    try {
      status = await api(`blur/jobs/${encodeURIComponent(jobId)}`);
      misses = 0;
    } catch (error) {
      if (error?.status === 401 || ++misses >= 5) throw error;
      await sleep(POLL_MS * 2);
      continue;
    }
    onProgress?.(status);
    if (status.status === 'done' || status.status === 'failed') return status;
    await sleep(POLL_MS);
  }
}
