// The admin secret is kept for the browser tab only (sessionStorage), so a reload stays signed in
// and closing the tab signs out. It is never put in a URL, a cookie or localStorage.

const KEY = 'cardea.studio.adminSecret';

export function storedSecret(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function storeSecret(secret: string): void {
  sessionStorage.setItem(KEY, secret);
}

export function forgetSecret(): void {
  sessionStorage.removeItem(KEY);
}
