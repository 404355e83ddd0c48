import { Alert, Button, Text } from '@mantine/core';
import { Component, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** Catches a render failure and shows a plain message; the technical details stay out of sight. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render(): ReactNode {
    return this.state.failed ? <FailureMessage /> : this.props.children;
  }
}

function FailureMessage() {
  const { t } = useTranslation();
  return (
    <Alert color="red" role="alert" title={t('errors.title')} m="md">
      <Text size="sm">{t('errors.generic')}</Text>
      <Button mt="sm" size="xs" onClick={() => window.location.reload()}>
        {t('errors.reload')}
      </Button>
    </Alert>
  );
}
