import { suggestedForkName } from '../editor/forkBuiltin.ts';
import { PLUGIN_NAME } from '../templates.ts';
import { h } from '../ui/dom.ts';

/**
 * A modal dialog: the name a fork of `builtin` takes (clients attach to it by that name).
 * Resolves undefined when cancelled.
 */
export function pickForkName(builtin: string, fileCount: number, taken: (name: string) => boolean): Promise<string | undefined> {
  return new Promise((resolve) => {
    let suggested = suggestedForkName(builtin);
    for (let i = 2; taken(suggested); i++) suggested = `${suggestedForkName(builtin)}-${i}`;
    const name = h('input', { id: 'fork-name', type: 'text', required: true, spellcheck: false, 'aria-describedby': 'fork-error' });
    name.value = suggested;
    const error = h('p', { id: 'fork-error', class: 'login-error', role: 'alert' });
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'fork-title' });
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'fork-title' }, `Fork ${builtin}`),
      h(
        'p',
        { class: 'muted' },
        `A copy of its ${fileCount} file${fileCount === 1 ? '' : 's'} opens as a new user plugin: edit it, deploy it with Ctrl+S, and clients attach to it by its new name. The built-in stays as it is.`,
      ),
      h('label', { for: 'fork-name' }, 'Name of the copy'),
      name,
      error,
      h(
        'div',
        { class: 'row end' },
        h('button', { type: 'button', onclick: () => dialog.close('cancel') }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary', id: 'fork-create' }, 'Fork'),
      ),
    );
    form.addEventListener('submit', (event) => {
      const value = name.value.trim();
      const problem = !PLUGIN_NAME.test(value)
        ? 'Use letters, digits, dots, dashes and underscores.'
        : value === builtin || taken(value)
          ? `${value} exists: pick another name.`
          : undefined;
      if (problem) {
        event.preventDefault();
        error.textContent = problem;
        return;
      }
      dialog.returnValue = 'fork';
    });
    dialog.append(form);
    dialog.addEventListener('close', () => {
      const value = name.value.trim();
      dialog.remove();
      resolve(dialog.returnValue === 'fork' ? value : undefined);
    });
    document.body.append(dialog);
    dialog.showModal();
    name.select();
  });
}
