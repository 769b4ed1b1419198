// Debug info: what the server says about itself (readiness checks, services, queue, version).

import { api } from './api.js';
import { $, fillFacts, h } from './dom.js';
import { formatCount } from './format.js';

const statusClass = (text) => (text === 'ok' || text === 'ready' ? 'status-ok' : 'status-bad');

async function settle(promise) {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

export async function renderDebug(root) {
  const [health, ready, services] = await Promise.all([
    settle(api('/health')),
    settle(api('/health/ready', { accept: [503] })),
    settle(api('/health/services', { accept: [503] })),
  ]);

  const readyList = $('#facts-ready', root);
  if (ready.value) {
    const checks = Object.entries(ready.value.checks ?? {}).sort(([a], [b]) => a.localeCompare(b));
    fillFacts(readyList, [
      ['Status', h('span', { class: statusClass(ready.value.status) }, ready.value.status), 'ready-status'],
      ...checks.map(([name, result]) => [name, h('span', { class: statusClass(result) }, result)]),
    ]);
  } else {
    fillFacts(readyList, [['Status', h('span', { class: 'status-bad' }, ready.error.message), 'ready-status']]);
  }

  const queueList = $('#facts-queue', root);
  const tbody = $('#services-table tbody', root);
  if (services.value) {
    const queue = services.value.queue ?? {};
    fillFacts(queueList, [
      ['Jobs waiting', formatCount(queue.depth ?? 0), 'queue-depth'],
      ['Workers', formatCount(queue.workers ?? 0), 'queue-workers'],
      ['Overall', h('span', { class: statusClass(services.value.status) }, services.value.status), 'services-status'],
    ]);
    tbody.replaceChildren(
      ...(services.value.services ?? []).map((service) =>
        h(
          'tr',
          null,
          h('td', null, service.name),
          h('td', null, h('span', { class: statusClass(service.status) }, service.status)),
          h('td', null, service.detail ?? ''),
        ),
      ),
    );
  } else {
    fillFacts(queueList, [['Queue', services.error.message, 'queue-depth']]);
    tbody.replaceChildren(h('tr', null, h('td', { colspan: 3 }, services.error.message)));
  }

  const version = health.value?.version ?? services.value?.version ?? document.body.dataset.version;
  fillFacts($('#facts-about', root), [
    ['Version', version ?? '—', 'about-version'],
    ['Server', health.value ? h('span', { class: statusClass(health.value.status) }, health.value.status) : health.error.message],
    ['Mode', document.body.dataset.localMode === 'true' ? 'local' : 'Google accounts'],
    ['Checked', new Date().toLocaleTimeString()],
  ]);
}
