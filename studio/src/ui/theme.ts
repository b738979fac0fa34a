import { monaco } from '../editor/monacoSetup.ts';

/** The studio's colour schemes. */
export type Theme = 'dark' | 'light';

const KEY = 'cardea.studio.theme';

/** The saved theme, else the system's preference. */
export function initialTheme(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === 'dark' || saved === 'light') return saved;
  return matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

/** Applies a theme to the page and to Monaco, and remembers it. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  monaco.editor.setTheme(theme === 'dark' ? 'cardea-dark' : 'cardea-light');
  localStorage.setItem(KEY, theme);
}

export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'light' ? 'light' : 'dark';
}
