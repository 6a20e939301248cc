/** Light and dark themes: the system's by default, or the user's choice (kept in localStorage). */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'servicedeck.theme';
const ORDER: readonly ThemeChoice[] = ['system', 'light', 'dark'];

export function storedTheme(): ThemeChoice {
  try {
    const value = window.localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  try {
    if (choice === 'system') window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, choice);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

export function nextTheme(choice: ThemeChoice): ThemeChoice {
  return ORDER[(ORDER.indexOf(choice) + 1) % ORDER.length] ?? 'system';
}

export const THEME_LABELS: Record<ThemeChoice, string> = {
  system: '◐ Theme: system',
  light: '☀ Theme: light',
  dark: '☾ Theme: dark',
};
