import { Alert, AppShell, Burger, Button, Group, Kbd, NavLink, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { spotlight } from '@mantine/spotlight';
import { IconLock, IconSearch } from '@tabler/icons-react';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import { useCoreConnected } from '../rpc/RpcProvider';
import { CommandPalette } from './CommandPalette';
import { useNavigation } from './navigation';
import { SyncBadge } from './SyncBadge';
import { SessionBanner } from '../session/SessionBanner';
import { useLock } from '../vault/useLock';
import classes from './AppLayout.module.css';

export function AppLayout() {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const connected = useCoreConnected();
  const navigation = useNavigation();

  const lockNow = useLock();
  const lock = useCallback(() => {
    lockNow().catch(() => notifications.show({ id: 'lock-failed', message: t('errors.lockFailed'), color: 'red' }));
  }, [lockNow, t]);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a className={classes.skipLink} href="#main-content">
        {t('app.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.toggle')} />
            <Title order={1} size="h3">
              {t('app.name')}
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <UnstyledButton
              className={classes.paletteButton}
              onClick={() => spotlight.open()}
              aria-label={t('header.palette')}
            >
              <Group gap={8} wrap="nowrap">
                <IconSearch size={16} aria-hidden />
                <Kbd size="xs">{t('header.paletteShortcut')}</Kbd>
              </Group>
            </UnstyledButton>
            <SyncBadge />
            <Button variant="default" leftSection={<IconLock size={16} aria-hidden />} onClick={lock}>
              {t('header.lock')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" component="nav" aria-label={t('nav.label')}>
        {navigation.map((item) => {
          const Icon = item.icon;
          const current = location.pathname.startsWith(item.path);
          // A client's chart belongs to the Caseload section.
          const within = item.path === '/caseload' && location.pathname.startsWith('/clients/');
          return (
            <NavLink
              key={item.path}
              component={RouterLink}
              to={item.path}
              label={t(item.labelKey)}
              leftSection={<Icon size={20} aria-hidden />}
              active={current || within}
              variant="filled"
              aria-current={current ? 'page' : undefined}
              onClick={close}
            />
          );
        })}
      </AppShell.Navbar>

      <AppShell.Main id="main-content" tabIndex={-1}>
        {!connected && (
          <Alert color="red" role="alert" mb="md" title={t('errors.title')}>
            <Text size="sm">{t('errors.disconnected')}</Text>
            <Button mt="sm" size="xs" onClick={() => window.location.reload()}>
              {t('errors.reload')}
            </Button>
          </Alert>
        )}
        <SessionBanner />
        <Outlet />
      </AppShell.Main>
      <CommandPalette onLock={lock} />
    </AppShell>
  );
}
