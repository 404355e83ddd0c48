import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import type { QueryClient } from '@tanstack/react-query';
import { createHashRouter, Navigate, RouterProvider } from 'react-router';
import type { RpcClient } from '../../shared/rpc/client';
import type { Preferences } from '../../shared/settings/preferences';
import { CaseloadPage } from '../caseload/CaseloadPage';
import { ClientOverviewPage } from '../client/ClientOverviewPage';
import { ConferencePage } from '../conference/ConferencePage';
import { EscalationsPage } from '../escalations/EscalationsPage';
import { CosignQueuePage } from '../notes/CosignQueuePage';
import { NoteEditorPage } from '../notes/NoteEditorPage';
import { NotesSearchPage } from '../notes/NotesSearchPage';
import { RpcProvider } from '../rpc/RpcProvider';
import { SettingsPage } from '../settings/SettingsPage';
import { AppLayout } from '../shell/AppLayout';
import { TodayPage } from '../today/TodayPage';
import { VaultGate } from '../vault/VaultGate';
import { ErrorBoundary } from './ErrorBoundary';
import { PreferencesEffects } from './PreferencesEffects';
import { cssVariablesResolver, theme } from './theme';

const router = createHashRouter([
  {
    path: '/',
    element: <AppLayout />,
    children: [
      { index: true, element: <Navigate to="/today" replace /> },
      { path: 'today', element: <TodayPage /> },
      { path: 'caseload', element: <CaseloadPage /> },
      { path: 'clients/:clientId', element: <ClientOverviewPage /> },
      { path: 'notes', element: <NotesSearchPage /> },
      { path: 'notes/:noteId', element: <NoteEditorPage /> },
      { path: 'cosign', element: <CosignQueuePage /> },
      { path: 'escalations', element: <EscalationsPage /> },
      { path: 'conference', element: <ConferencePage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: '*', element: <Navigate to="/today" replace /> },
    ],
  },
]);

export function App({
  client,
  queryClient,
  initialPreferences,
}: {
  client: RpcClient;
  queryClient: QueryClient;
  initialPreferences: Preferences;
}) {
  return (
    <MantineProvider
      theme={theme}
      cssVariablesResolver={cssVariablesResolver}
      defaultColorScheme={initialPreferences.colorScheme}
    >
      <ErrorBoundary>
        <RpcProvider client={client} queryClient={queryClient}>
          <PreferencesEffects />
          <Notifications position="top-right" />
          <VaultGate>
            <RouterProvider router={router} />
          </VaultGate>
        </RpcProvider>
      </ErrorBoundary>
    </MantineProvider>
  );
}
