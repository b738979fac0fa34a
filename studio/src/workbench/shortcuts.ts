import { h } from '../ui/dom.ts';

/** A keyboard shortcut of the studio. */
export interface Shortcut {
  /** `Mod` is Ctrl, or ⌘ on a Mac. */
  keys: string;
  label: string;
  run(): void;
}

const isMac = navigator.platform.toLowerCase().includes('mac');

/** The key combination of a keydown, as `Mod+Alt+Shift+K`. */
function comboOf(e: KeyboardEvent): string {
  const mod = isMac ? e.metaKey : e.ctrlKey;
  const key = e.code.startsWith('Key') ? e.code.slice(3) : e.code.startsWith('Digit') ? e.code.slice(5) : e.key;
  return [mod ? 'Mod' : '', e.altKey ? 'Alt' : '', e.shiftKey ? 'Shift' : '', key.length === 1 ? key.toUpperCase() : key]
    .filter(Boolean)
    .join('+');
}

/**
 * Installs the shortcuts on the window in the capture phase, so they work while Monaco (or any
 * field) has the focus and win over the browser's own (Ctrl+S would save the page).
 */
export function installShortcuts(shortcuts: Shortcut[]): () => void {
  const byCombo = new Map(shortcuts.map((s) => [s.keys, s]));
  const listener = (e: KeyboardEvent): void => {
    const shortcut = byCombo.get(comboOf(e));
    if (!shortcut) return;
    e.preventDefault();
    e.stopPropagation();
    shortcut.run();
  };
  window.addEventListener('keydown', listener, true);
  return () => window.removeEventListener('keydown', listener, true);
}

/** How a shortcut is written for this platform. */
export function describeKeys(keys: string): string {
  return keys.replace('Mod', isMac ? '⌘' : 'Ctrl').replace('Alt', isMac ? '⌥' : 'Alt');
}

/** A dialog listing the shortcuts. */
export function showShortcuts(shortcuts: Shortcut[]): void {
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': 'shortcuts-title' },
    h('h2', { id: 'shortcuts-title' }, 'Keyboard shortcuts'),
    h(
      'table',
      { class: 'shortcuts' },
      h('tbody', null, [
        ...shortcuts.map((s) => h('tr', null, h('td', null, h('kbd', null, describeKeys(s.keys))), h('td', null, s.label))),
        h('tr', null, h('td', null, h('kbd', null, describeKeys('Mod+Enter'))), h('td', null, 'Send the try-it message (in the composer)')),
        h('tr', null, h('td', null, h('kbd', null, 'F1')), h('td', null, 'Editor command palette (in the editor)')),
      ]),
    ),
    h('form', { method: 'dialog', class: 'row end' }, h('button', { class: 'primary' }, 'Close')),
  );
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
