// A small hyperscript helper: the studio builds its DOM directly, without a framework.

type Child = Node | string | number | false | null | undefined;
type Props = Record<string, unknown> & { class?: string; dataset?: Record<string, string>; style?: string };

/** An attribute value as text (props are strings, numbers or booleans). */
const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * Creates an element. `on*` props become listeners, `class`/`style`/`dataset` are applied,
 * attributes with dashes (aria-*, data-*) and the rest become attributes or properties.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = text(value);
      else if (key === 'style') el.setAttribute('style', text(value));
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
      else if (key.includes('-') || key === 'role' || key === 'for' || key === 'title' || key === 'tabindex')
        el.setAttribute(key, value === true ? '' : text(value));
      else (el as unknown as Record<string, unknown>)[key] = value;
    }
  }
  append(el, children);
  return el;
}

/** Appends children, flattening arrays and skipping empty values. */
export function append(parent: Node, children: Array<Child | Child[]>): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replaceChildren(parent: Element, ...children: Array<Child | Child[]>): void {
  parent.replaceChildren();
  append(parent, children);
}

/** An inline SVG icon from the icon set below. */
export function icon(name: keyof typeof icons, label?: string): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', label ? 'false' : 'true');
  if (label) svg.setAttribute('aria-label', label);
  svg.innerHTML = icons[name];
  return svg;
}

const stroke = (d: string): string =>
  `<path d="${d}" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"/>`;

/** Line icons (24×24), drawn for the studio. */
export const icons = {
  plugins: stroke('M4 7h6V3H4zM14 7h6V3h-6zM4 21h6v-8H4zM14 21h6v-8h-6zM7 7v6M17 7v6'),
  sessions: stroke('M3 6h18M3 12h18M3 18h12M19 16l2 2-2 2'),
  add: stroke('M12 5v14M5 12h14'),
  deploy: stroke('M12 19V5M6 11l6-6 6 6M5 21h14'),
  rollback: stroke('M9 14L4 9l5-5M4 9h10a6 6 0 010 12h-3'),
  theme: stroke('M12 3a9 9 0 109 9 7 7 0 01-9-9z'),
  keyboard: stroke('M3 7h18v10H3zM7 11h0M11 11h0M15 11h0M7 14h10'),
  logout: stroke('M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10'),
  close: stroke('M6 6l12 12M18 6L6 18'),
  refresh: stroke('M20 11a8 8 0 10-2.3 5.7M20 4v7h-7'),
  trash: stroke('M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13'),
  play: stroke('M7 5l12 7-12 7z'),
  stop: stroke('M6 6h12v12H6z'),
  send: stroke('M4 12l16-8-6 16-2-6z'),
  file: stroke('M6 3h8l4 4v14H6zM14 3v4h4'),
  fork: stroke('M6 3v6M18 3v6M6 9a3 3 0 003 3h6a3 3 0 003-3M12 12v9M12 21h0'),
  check: stroke('M5 12l5 5 9-10'),
  warning: stroke('M12 4l9 16H3zM12 10v4M12 17v.5'),
} as const;
