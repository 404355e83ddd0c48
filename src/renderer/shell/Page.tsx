import { Stack, Text, Title } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A page's heading, intro and body; also sets the window title for screen-reader users.
 * `wide` pages (tables, the chart) use the whole width instead of a reading measure.
 */
export function Page({
  title,
  intro,
  wide = false,
  before,
  children,
}: {
  title: string;
  intro?: string;
  wide?: boolean;
  /** Shown above the heading (a back link). */
  before?: ReactNode;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`;
  }, [title, t]);
  return (
    <Stack gap="md" maw={wide ? undefined : 900}>
      {before}
      <Title order={2}>{title}</Title>
      {intro && <Text c="dimmed">{intro}</Text>}
      {children}
    </Stack>
  );
}
