import type { Problem } from '../editor/typecheck.ts';
import { h, replaceChildren } from '../ui/dom.ts';

/** The problems panel: type and syntax errors of the last check, each a link to its position. */
export class ProblemsPanel {
  readonly element: HTMLElement;
  readonly #list: HTMLOListElement;

  constructor(reveal: (path: string, line: number, column: number) => void) {
    this.#list = h('ol', { class: 'entries', id: 'problems', 'aria-label': 'Problems' });
    this.element = h('div', { class: 'problems-panel' }, this.#list);
    this.#reveal = reveal;
    this.show([]);
  }

  readonly #reveal: (path: string, line: number, column: number) => void;

  show(problems: Problem[]): void {
    replaceChildren(
      this.#list,
      problems.length === 0
        ? h('li', { class: 'muted empty' }, 'No problems in the last check.')
        : problems.map((p) =>
            h(
              'li',
              { class: 'entry error', dataset: { kind: 'problem' } },
              h(
                'a',
                { href: '#', class: 'frame-link', onclick: (e: Event) => (e.preventDefault(), this.#reveal(p.path, p.line, p.column)) },
                `${p.path}:${p.line}:${p.column}`,
              ),
              h('span', { class: 'entry-text' }, ` ${p.message} `),
              h('span', { class: 'muted' }, `ts(${p.code})`),
            ),
          ),
    );
  }
}
