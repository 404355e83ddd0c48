import { Alert, Anchor, Loader, Paper, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorText, formatDateTime } from '../i18n/format';
import { useRpcQuery } from '../rpc/hooks';
import { Page } from '../shell/Page';
import { NoteBadges } from './NoteBadges';
import { useNotesSyncRefresh } from './notes-cache';
import { templateName, useNoteTemplates } from './templates';

/**
 * The supervisor's co-sign queue: signed notes of supervisees waiting for a co-signature.
 * Each opens the note, read first, then co-signed (passphrase) or returned with a comment.
 */
export function CosignQueuePage() {
  const { t, i18n } = useTranslation();
  useNotesSyncRefresh();
  const queue = useRpcQuery('notes.cosignQueue', {});
  const templates = useNoteTemplates();
  const notes = queue.data?.notes ?? [];
  return (
    <Page title={t('notes.queue.title')} intro={t('notes.queue.intro')} wide>
      {queue.isPending && <Loader size="sm" aria-label={t('notes.queue.loading')} />}
      {queue.error && (
        <Alert color="red" role="alert">
          {t('notes.queue.loadFailed', { reason: errorText(t, queue.error) })}
        </Alert>
      )}
      {queue.data && notes.length === 0 && (
        <Paper withBorder p="lg">
          <Text>{t('notes.queue.empty')}</Text>
        </Paper>
      )}
      {notes.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table striped aria-label={t('notes.queue.tableLabel')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('notes.queue.columns.note')}</Table.Th>
                <Table.Th scope="col">{t('notes.queue.columns.author')}</Table.Th>
                <Table.Th scope="col">{t('notes.queue.columns.signed')}</Table.Th>
                <Table.Th scope="col">{t('notes.queue.columns.state')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {notes.map((note) => (
                <Table.Tr key={note.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/notes/${note.id}`} fw={600}>
                      {t('notes.search.hitTitle', {
                        client: note.clientName,
                        template: templateName(t, templates.data?.templates, note.templateId),
                      })}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{note.authorName ?? t('notes.common.unknownStaff')}</Table.Td>
                  <Table.Td>{note.signedAt ? formatDateTime(note.signedAt, i18n.language) : '—'}</Table.Td>
                  <Table.Td>
                    <NoteBadges note={note} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Page>
  );
}
