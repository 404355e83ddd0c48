import { Alert, Anchor, Group, Loader, Text } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { RpcError } from '../../shared/rpc/errors';
import { errorText, formatDate } from '../i18n/format';
import { useRpcQuery } from '../rpc/hooks';
import { Page } from '../shell/Page';
import { ConflictResolver } from './ConflictResolver';
import { DraftEditor } from './DraftEditor';
import { NoteBadges } from './NoteBadges';
import { NoteRecordView } from './NoteRecordView';
import { useClientNames } from './names';
import { useNotesSyncRefresh } from './notes-cache';
import { findTemplate, tk, useNoteTemplates } from './templates';

/**
 * One note: the editor while it is a draft the clinician may edit; the merge screen when two
 * devices edited it; otherwise the read-only record with its signature, co-signature and addenda.
 */
export function NoteEditorPage() {
  const { t, i18n } = useTranslation();
  const { noteId = '' } = useParams();
  useNotesSyncRefresh();
  const note = useRpcQuery('notes.get', { noteId });
  const templates = useNoteTemplates();
  const memberName = useClientNames();
  const detail = note.data;

  const back = (
    <Anchor component={Link} to={detail ? `/clients/${detail.clientId}` : '/notes'} size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={16} aria-hidden />
        {detail ? t('notes.editor.backToChart', { name: detail.clientName }) : t('notes.editor.backToNotes')}
      </Group>
    </Anchor>
  );

  // An editor only ever starts from a fresh read (never from a cached copy that may be older
  // than what was saved on leaving).
  if (note.isPending || (detail?.status === 'draft' && !note.isFetchedAfterMount) || templates.isPending) {
    return (
      <Page title={t('notes.editor.loading')} before={back}>
        <Loader size="sm" aria-label={t('notes.editor.loading')} />
      </Page>
    );
  }
  if (note.error || !detail) {
    const notFound =
      note.error instanceof RpcError && (note.error.code === 'NOT_FOUND' || note.error.code === 'BAD_REQUEST');
    return (
      <Page title={t('notes.editor.notFoundTitle')} before={back}>
        <Alert color={notFound ? 'yellow' : 'red'} role="alert">
          {notFound ? t('notes.editor.notFound') : t('notes.editor.loadFailed', { reason: errorText(t, note.error) })}
        </Alert>
      </Page>
    );
  }
  const template = findTemplate(templates.data?.templates, detail.templateId, detail.templateVersion);
  const name = template ? tk(t, template.nameKey) : detail.templateId;
  const title = t('notes.editor.title', { template: name, client: detail.clientName });
  if (!template) {
    return (
      <Page title={title} before={back}>
        <Alert color="yellow" role="alert">
          {templates.error
            ? t('notes.editor.templatesFailed', { reason: errorText(t, templates.error) })
            : t('notes.editor.templateMissing', { id: detail.templateId, version: detail.templateVersion })}
        </Alert>
      </Page>
    );
  }

  const intro = [
    detail.sessionDate ? t('notes.editor.session', { date: formatDate(detail.sessionDate, i18n.language) }) : null,
    detail.authorName ? t('notes.editor.author', { name: detail.authorName }) : null,
  ]
    .filter(Boolean)
    .join(' · ');

  return (
    <Page title={title} before={back}>
      <Group gap="sm" mt={-8} wrap="wrap">
        {intro && <Text c="dimmed">{intro}</Text>}
        <NoteBadges note={detail} />
      </Group>
      {detail.conflictDetail && detail.canEdit ? (
        <ConflictResolver detail={detail} template={template} memberName={memberName} />
      ) : detail.status === 'draft' && detail.canEdit ? (
        <DraftEditor key={detail.id} detail={detail} template={template} memberName={memberName} />
      ) : (
        <NoteRecordView detail={detail} template={template} memberName={memberName} />
      )}
    </Page>
  );
}
