import '@mantine/core/styles.css';
import '@mantine/spotlight/styles.css';
import '@mantine/notifications/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RpcClient } from '../shared/rpc/client';
import { DEFAULT_PREFERENCES, type Preferences } from '../shared/settings/preferences';
import { App } from './app/App';
import { initI18n } from './i18n/i18n';
import { createQueryClient } from './rpc/RpcProvider';
import { rpcQueryKey } from './rpc/hooks';
import { connectToCore } from './rpc/transport';

async function start(): Promise<void> {
  const port = connectToCore();
  const client = new RpcClient(port);
  const queryClient = createQueryClient();

  // Preferences decide the language of the very first screen; fall back to defaults if the
  // core does not answer quickly, and keep going.
  let preferences: Preferences = DEFAULT_PREFERENCES;
  try {
    preferences = await client.call('settings.get', {}, { timeoutMs: 5_000 });
    queryClient.setQueryData(rpcQueryKey('settings.get', {}), preferences);
  } catch {
    // The shell shows the disconnected state if the core is really gone.
  }
  await initI18n(preferences.language);

  const root = document.getElementById('root');
  if (!root) throw new Error('#root is missing from index.html');
  createRoot(root).render(
    <StrictMode>
      <App client={client} queryClient={queryClient} initialPreferences={preferences} />
    </StrictMode>,
  );
}

void start();
