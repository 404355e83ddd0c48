import { Alert, Anchor, Button, Group, Loader, Stack, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorText, formatDate, formatSessionStart } from '../i18n/format';
import { useRpcQuery } from '../rpc/hooks';
import { NewNoteDialog } from './NewNoteDialog';
import { NoteBadges } from './NoteBadges';
import { useNotesSyncRefresh } from './notes-cache';
import { templateName, useNoteTemplates } from './templates';
import classes from './notes.module.css';

/** How many notes the chart shows before "Show all". */
const SHOWN = 8;

/**
 * A client's notes, newest first, each with its state in words and a link to open it; and
 * "New note" (template, copy forward). Shown in the client overview.
 */
export function NotesTimeline({ clientId, clientName }: { clientId: string; clientName: string }) {
  const { t, i18n } = useTranslation();
  useNotesSyncRefresh();
  const notes = useRpcQuery('notes.list', { clientId, limit: 50 });
  const templates = useNoteTemplates();
  const [creating, setCreating] = useState(false);
  const [all, setAll] = useState(false);
  const list = notes.data?.notes ?? [];
  const shown = all ? list : list.slice(0, SHOWN);

  return (
    <Stack gap="sm">
      <Group gap="sm">
        <Button size="xs" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => setCreating(true)}>
          {t('notes.create.open')}
        </Button>
        <Anchor component={Link} to={`/notes?client=${clientId}`} size="sm">
          {t('notes.timeline.search')}
        </Anchor>
      </Group>
      {notes.isPending && <Loader size="sm" aria-label={t('notes.timeline.loading')} />}
      {notes.error && (
        <Alert color="red" role="alert">
          {t('notes.timeline.loadFailed', { reason: errorText(t, notes.error) })}
        </Alert>
      )}
      {notes.data && notes.data.notes.length === 0 && <Text size="sm">{t('client.notesEmpty')}</Text>}
      {notes.data && notes.data.notes.length > 0 && (
        <Stack gap="sm" component="ol" className={classes.plainList} aria-label={t('notes.timeline.label')}>
          {shown.map((note) => (
            <li key={note.id}>
              <Group justify="space-between" gap="xs" wrap="wrap" align="flex-start">
                <div>
                  <Anchor component={Link} to={`/notes/${note.id}`} size="sm" fw={600}>
                    {templateName(t, templates.data?.templates, note.templateId)}
                    {note.sessionDate
                      ? ` · ${formatSessionStart(note.sessionDate, note.sessionTime, i18n.language)}`
                      : ''}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {[
                      note.authorName ? t('client.byAuthor', { name: note.authorName }) : null,
                      note.signedAt
                        ? t('notes.timeline.signedOn', { date: formatDate(note.signedAt, i18n.language) })
                        : t('notes.timeline.updatedOn', { date: formatDate(note.updatedAt, i18n.language) }),
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </Text>
                </div>
                <NoteBadges note={note} />
              </Group>
            </li>
          ))}
        </Stack>
      )}
      {list.length > SHOWN && (
        <Group>
          <Button variant="subtle" size="compact-sm" onClick={() => setAll((current) => !current)}>
            {all ? t('notes.timeline.showFewer') : t('notes.timeline.showAll', { count: list.length })}
          </Button>
        </Group>
      )}
      <NewNoteDialog opened={creating} onClose={() => setCreating(false)} clientId={clientId} clientName={clientName} />
    </Stack>
  );
}
