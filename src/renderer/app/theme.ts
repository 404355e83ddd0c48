import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

/**
 * Mantine's teal, shifted one step darker at the top so that white text on the filled colour
 * and on its hover shade both stay above WCAG AA contrast (4.5:1); the e2e axe scan checks it.
 */
const continuumTeal: MantineColorsTuple = [
  '#e6fcf5',
  '#c3fae8',
  '#96f2d7',
  '#63e6be',
  '#38d9a9',
  '#20c997',
  '#12b886',
  '#0ca678',
  '#087f5b',
  '#066649',
];

export const theme = createTheme({
  colors: { continuumTeal },
  primaryColor: 'continuumTeal',
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif',
  // Keyboard users always see where focus is.
  focusRing: 'auto',
  // Clinicians who ask their OS for less motion get none.
  respectReducedMotion: true,
});

/** Colours used by light (tinted) badges and alerts: status words on the caseload and in charts. */
const TINTED = ['red', 'orange', 'yellow', 'green', 'blue', 'grape', 'gray', 'teal', 'continuumTeal'] as const;

/**
 * Mantine's default "dimmed" grey is too faint for body text (AA contrast) in both schemes; and
 * in the light scheme the text of "light" badges (shade 6 on a pale tint of the same colour) is
 * below 4.5:1, so it is darkened to shade 9 mixed with black.
 */
export const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': t.colors.gray[7] ?? '#495057',
    ...Object.fromEntries(
      TINTED.map((color) => [
        `--mantine-color-${color}-light-color`,
        `color-mix(in srgb, var(--mantine-color-${color}-9) 70%, black)`,
      ]),
    ),
  },
  dark: { '--mantine-color-dimmed': t.colors.dark[1] ?? '#b8b8b8' },
});
