import { Center, Group, Paper, Title } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** The frame of the screens shown before the caseload is open: first run, lock, problems. */
export function VaultScreen({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = t('app.name');
  }, [t]);
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={520}>
        <Group gap="xs" mb="lg">
          <IconLock size={24} aria-hidden />
          <Title order={1} size="h3">
            {t('app.name')}
          </Title>
        </Group>
        {children}
      </Paper>
    </Center>
  );
}
