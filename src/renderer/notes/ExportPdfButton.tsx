import { Alert, Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { IconPrinter } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../i18n/format';
import { useRpcMutation } from '../rpc/hooks';

/**
 * "Print / PDF": the core writes the note (signature block and content hash included) to a
 * PDF file in the workstation's exports folder and audits it; a dialog says where it went.
 */
export function ExportPdfButton({ noteId }: { noteId: string }) {
  const { t } = useTranslation();
  const exportPdf = useRpcMutation('notes.exportPdf');
  const [opened, setOpened] = useState(false);
  const close = (): void => {
    setOpened(false);
    exportPdf.reset();
  };
  return (
    <>
      <Button
        variant="default"
        leftSection={<IconPrinter size={16} aria-hidden />}
        loading={exportPdf.isPending}
        onClick={() => exportPdf.mutate({ noteId }, { onSettled: () => setOpened(true) })}
      >
        {t('notes.pdf.button')}
      </Button>
      <Modal
        opened={opened}
        onClose={close}
        title={exportPdf.error ? t('notes.pdf.failedTitle') : t('notes.pdf.writtenTitle')}
        closeButtonProps={{ 'aria-label': t('app.close') }}
        size="lg"
      >
        <Stack gap="sm">
          {exportPdf.error && (
            <Alert color="red" role="alert">
              {t('notes.pdf.failed', { reason: errorText(t, exportPdf.error) })}
            </Alert>
          )}
          {exportPdf.data && (
            <>
              <Text size="sm">
                {t('notes.pdf.written', { count: exportPdf.data.pages, fileName: exportPdf.data.fileName })}
              </Text>
              <Text size="sm">{t('notes.pdf.where')}</Text>
              <Code block>{exportPdf.data.path}</Code>
            </>
          )}
          <Group justify="flex-end">
            <Button onClick={close} data-autofocus>
              {t('notes.common.done')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
