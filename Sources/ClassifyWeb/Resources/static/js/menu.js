// The user menu: a real button that opens a list of menu items (WAI-ARIA menu button pattern).
// Enter/Space/ArrowDown open it on the first item, arrows move, Home/End jump, Escape closes
// and gives focus back to the button, Tab leaves it closed.

import { notify } from './toast.js';

export function setupMenu({ button, menu, actions }) {
  const items = () => [...menu.querySelectorAll('[role="menuitem"]')];
  const isOpen = () => !menu.hidden;

  function open(focusIndex = 0) {
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    const list = items();
    list.at(focusIndex)?.focus();
  }

  function close({ restoreFocus = true } = {}) {
    if (!isOpen()) return;
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (restoreFocus) button.focus();
  }

  button.addEventListener('click', () => (isOpen() ? close() : open()));
  button.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      open(0);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      open(-1);
    }
  });

  menu.addEventListener('keydown', (event) => {
    const list = items();
    const index = list.indexOf(document.activeElement);
    const move = (to) => {
      event.preventDefault();
      list.at(((to % list.length) + list.length) % list.length)?.focus();
    };
    switch (event.key) {
      case 'ArrowDown': return move(index + 1);
      case 'ArrowUp': return move(index - 1);
      case 'Home': return move(0);
      case 'End': return move(list.length - 1);
      case 'Escape':
        event.preventDefault();
        return close();
      case 'Tab':
        return close({ restoreFocus: false });
      default:
    }
  });

  menu.addEventListener('click', (event) => {
    const item = event.target.closest('[role="menuitem"]');
    if (!item) return;
    if (item.getAttribute('aria-disabled') === 'true') {
      event.preventDefault();
      const reason = document.getElementById(item.getAttribute('aria-describedby') ?? '')?.textContent;
      notify(reason || 'Not available on this server.');
      return;
    }
    const action = actions[item.dataset.action];
    if (action) {
      close({ restoreFocus: false });
      action();
    }
    // The sign-out item is a submit button: its form posts as usual.
  });

  document.addEventListener('click', (event) => {
    if (isOpen() && !menu.contains(event.target) && !button.contains(event.target)) {
      close({ restoreFocus: false });
    }
  });

  return { open, close };
}
