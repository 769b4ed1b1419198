// Every call to Classify's API goes through here: same-origin cookies, the CSRF header on
// unsafe methods, sign-in on 401, and errors turned into sentences for people.

export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

const UNREACHABLE = "Can't reach the Classify server. Check that it is running, then try again.";

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? '';
}

function goToSignIn() {
  window.location.assign('/signin');
  return new ApiError('Your session has ended. Sign in again.', 'unauthorized', 401);
}

function errorFrom(status, statusText, data) {
  const message = data?.error?.message || `The server answered ${status} ${statusText ?? ''}`.trim();
  return new ApiError(message, data?.error?.code ?? `http_${status}`, status);
}

function parse(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Calls `/api/v1/<path>` (or an absolute path such as `/health`) and returns the decoded JSON
 * (null for 204). `accept` lists error statuses whose JSON body the caller wants instead of an
 * exception (readiness answers 503 with its checks).
 */
export async function api(path, { method = 'GET', json, query, accept = [], signal } = {}) {
  let url = path.startsWith('/') ? path : `/api/v1/${path}`;
  if (query) {
    // Spaces as %20, not the form encoding's "+": the server reads "+" as a plus sign.
    const text = Object.entries(query)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
      .join('&');
    if (text) url += `?${text}`;
  }
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken();
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body, credentials: 'same-origin', signal });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError(UNREACHABLE, 'network', 0);
  }
  if (response.status === 401) throw goToSignIn();
  if (response.status === 204) return null;
  const data = parse(await response.text());
  if (!response.ok && !accept.includes(response.status)) {
    throw errorFrom(response.status, response.statusText, data);
  }
  return data;
}

/**
 * Uploads files as one multipart request (parts named `file`), reporting bytes sent through
 * `onProgress(sent, total)`. Resolves to the server's JSON: {photos, errors}.
 */
export function uploadFiles(files, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const file of files) form.append('file', file, file.name);
    const request = new XMLHttpRequest();
    request.open('POST', '/api/v1/photos/upload');
    request.withCredentials = true;
    request.setRequestHeader('X-CSRF-Token', csrfToken());
    request.setRequestHeader('Accept', 'application/json');
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress?.(event.loaded, event.total);
    });
    request.addEventListener('load', () => {
      if (request.status === 401) return reject(goToSignIn());
      const data = parse(request.responseText);
      if (request.status >= 200 && request.status < 300) resolve(data ?? { photos: [], errors: [] });
      else reject(errorFrom(request.status, request.statusText, data));
    });
    request.addEventListener('error', () => reject(new ApiError(UNREACHABLE, 'network', 0)));
    request.addEventListener('abort', () => reject(new ApiError('The upload was cancelled.', 'aborted', 0)));
    request.send(form);
  });
}

/**
 * Imports a folder on the server's machine (local mode), reading the server's progress as it
 * goes: NDJSON lines `{done, total}`, then `{report}`. `onProgress(done, total)` hears each;
 * resolves to the report {imported, existing, errors}. A refused path rejects before any
 * progress, with the server's reason.
 */
export async function importFolder(path, onProgress) {
  let response;
  try {
    response = await fetch('/api/v1/photos/import', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/x-ndjson', 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() },
      body: JSON.stringify({ path }),
    });
  } catch {
    throw new ApiError(UNREACHABLE, 'network', 0);
  }
  if (response.status === 401) throw goToSignIn();
  if (!response.ok) throw errorFrom(response.status, response.statusText, parse(await response.text()));
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let report = null;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffered += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = parse(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        if (line?.report) report = line.report;
        else if (typeof line?.total === 'number') onProgress?.(line.done, line.total);
      }
      if (done) break;
    }
  } catch {
    report = null;
  }
  if (!report) {
    throw new ApiError(
      'The import stopped before it finished. The photos added so far are kept; import the folder again to add the rest.',
      'interrupted',
      0,
    );
  }
  return report;
}
