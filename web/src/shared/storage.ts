// What the apps keep in the browser: tokens, per app, so the back office and a register
// opened in the same browser stay two separate devices.
export function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function save(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* private mode: the app still works until the tab closes */
  }
}
