import { PLUGIN_NAME, templates, type PluginTemplate } from '../templates.ts';
import { h, replaceChildren } from '../ui/dom.ts';

/** A modal dialog: pick a template and a plugin name. Resolves undefined when cancelled. */
export function pickTemplate(
  taken: (name: string) => boolean,
  preselect?: string,
): Promise<{ template: PluginTemplate; name: string } | undefined> {
  return new Promise((resolve) => {
    let chosen = templates.find((t) => t.id === preselect) ?? templates[0];
    const name = h('input', {
      id: 'new-plugin-name',
      type: 'text',
      required: true,
      spellcheck: false,
      'aria-describedby': 'new-plugin-error',
    });
    const error = h('p', { id: 'new-plugin-error', class: 'login-error', role: 'alert' });
    const uniqueName = (base: string): string => {
      let candidate = base;
      for (let i = 2; taken(candidate); i++) candidate = `${base}-${i}`;
      return candidate;
    };
    const cards = h('div', { class: 'template-cards', role: 'radiogroup', 'aria-label': 'Templates' });
    const renderCards = (): void => {
      replaceChildren(
        cards,
        templates.map((t) =>
          h(
            'button',
            {
              type: 'button',
              class: `template-card${t === chosen ? ' selected' : ''}`,
              role: 'radio',
              'aria-checked': t === chosen ? 'true' : 'false',
              dataset: { template: t.id },
              onclick: () => {
                chosen = t;
                name.value = uniqueName(t.suggestedName);
                renderCards();
              },
            },
            h('strong', null, t.title),
            h('span', { class: 'muted' }, t.description),
            h('span', { class: 'muted small' }, Object.keys(t.files).join(', ')),
          ),
        ),
      );
    };
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'new-plugin-title' });
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'new-plugin-title' }, 'New plugin'),
      cards,
      h('label', { for: 'new-plugin-name' }, 'Plugin name (clients attach to it)'),
      name,
      error,
      h(
        'div',
        { class: 'row end' },
        h('button', { type: 'button', onclick: () => dialog.close('cancel') }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary', id: 'new-plugin-create' }, 'Create'),
      ),
    );
    form.addEventListener('submit', (event) => {
      const value = name.value.trim();
      const problem = !PLUGIN_NAME.test(value)
        ? 'Use letters, digits, dots, dashes and underscores.'
        : taken(value)
          ? `${value} exists: open it from the plugin list.`
          : undefined;
      if (problem) {
        event.preventDefault();
        error.textContent = problem;
        return;
      }
      dialog.returnValue = 'create';
    });
    dialog.append(form);
    dialog.addEventListener('close', () => {
      const value = name.value.trim();
      dialog.remove();
      resolve(dialog.returnValue === 'create' && chosen ? { template: chosen, name: value } : undefined);
    });
    if (chosen) name.value = uniqueName(chosen.suggestedName);
    renderCards();
    document.body.append(dialog);
    dialog.showModal();
    name.select();
  });
}
