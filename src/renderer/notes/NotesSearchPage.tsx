import {
  Alert,
  Anchor,
  Button,
  Group,
  Loader,
  NativeSelect,
  Paper,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { NOTE_STATUS_FILTERS, type NoteStatusFilter, type NoteSummary } from '../../shared/notes/rpc';
import { errorText, formatSessionStart } from '../i18n/format';
import { useRpcQuery } from '../rpc/hooks';
import { Page } from '../shell/Page';
import { useAddressState } from '../shell/use-address-state';
import { highlightSegments } from './highlight';
import { NoteBadges } from './NoteBadges';
import { useNotesSyncRefresh } from './notes-cache';
import { templateName, tk, useNoteTemplates } from './templates';
import classes from './notes.module.css';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface Filters {
  q: string;
  client: string;
  from: string;
  to: string;
  template: string;
  status: '' | NoteStatusFilter;
}

function filtersFrom(params: URLSearchParams): Filters {
  const status = params.get('status') ?? '';
  return {
    q: params.get('q') ?? '',
    client: params.get('client') ?? '',
    from: DATE.test(params.get('from') ?? '') ? (params.get('from') ?? '') : '',
    to: DATE.test(params.get('to') ?? '') ? (params.get('to') ?? '') : '',
    template: params.get('template') ?? '',
    status: (NOTE_STATUS_FILTERS as readonly string[]).includes(status) ? (status as NoteStatusFilter) : '',
  };
}

function toParams(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  return params;
}

/**
 * Notes: full-text search over the clinician's notes (the core's FTS index in the encrypted
 * cache) with filters by client, date range, template and status; the matched words are
 * marked in each snippet. With nothing to search, the clinician's own recent notes.
 */
export function NotesSearchPage() {
  const { t } = useTranslation();
  useNotesSyncRefresh();
  const [filters, set] = useAddressState(filtersFrom, toParams);
  const [query] = useDebouncedValue(filters.q.trim(), 250);
  const templates = useNoteTemplates();
  const caseload = useRpcQuery('caseload.list', {}, { staleTime: 60_000 });
  const filtering =
    query !== '' ||
    filters.client !== '' ||
    filters.from !== '' ||
    filters.to !== '' ||
    filters.template !== '' ||
    filters.status !== '';

  const search = useRpcQuery(
    'notes.search',
    {
      query,
      ...(filters.client ? { clientId: filters.client } : {}),
      ...(filters.from ? { from: filters.from } : {}),
      ...(filters.to ? { to: filters.to } : {}),
      ...(filters.template ? { templateId: filters.template } : {}),
      ...(filters.status ? { status: filters.status } : {}),
      limit: 50,
    },
    { enabled: filtering, placeholderData: (previous) => previous },
  );
  const recent = useRpcQuery('notes.list', { mine: true, limit: 30 }, { enabled: !filtering });

  const templateOptions = (templates.data?.templates ?? [])
    .filter((entry, index, all) => all.findIndex((other) => other.definition.id === entry.definition.id) === index)
    .map((entry) => ({ value: entry.definition.id, label: tk(t, entry.definition.nameKey) }));

  return (
    <Page title={t('notes.search.title')} intro={t('notes.search.intro')} wide>
      <Stack gap="sm">
        <TextInput
          label={t('notes.search.query')}
          leftSection={<IconSearch size={16} aria-hidden />}
          type="search"
          value={filters.q}
          onChange={(event) => set({ q: event.currentTarget.value })}
          maw={480}
        />
        <Group align="flex-end" gap="sm" wrap="wrap">
          <Select
            label={t('notes.search.client')}
            placeholder={t('notes.search.anyClient')}
            data={(caseload.data?.rows ?? []).map((row) => ({ value: row.id, label: row.displayName }))}
            value={filters.client || null}
            onChange={(value) => set({ client: value ?? '' })}
            searchable
            clearable
            nothingFoundMessage={t('notes.create.noMatch')}
            w={240}
          />
          <TextInput
            type="date"
            label={t('notes.search.from')}
            value={filters.from}
            onChange={(event) => set({ from: event.currentTarget.value })}
            w={170}
          />
          <TextInput
            type="date"
            label={t('notes.search.to')}
            value={filters.to}
            onChange={(event) => set({ to: event.currentTarget.value })}
            w={170}
          />
          <NativeSelect
            label={t('notes.search.template')}
            value={filters.template}
            onChange={(event) => set({ template: event.currentTarget.value })}
            data={[{ value: '', label: t('notes.search.anyTemplate') }, ...templateOptions]}
          />
          <NativeSelect
            label={t('notes.search.status')}
            value={filters.status}
            onChange={(event) => set({ status: event.currentTarget.value as Filters['status'] })}
            data={[
              { value: '', label: t('notes.search.anyStatus') },
              ...NOTE_STATUS_FILTERS.map((status) => ({ value: status, label: t(`notes.search.statuses.${status}`) })),
            ]}
          />
          {filtering && (
            <Button
              variant="default"
              onClick={() => set({ q: '', client: '', from: '', to: '', template: '', status: '' })}
            >
              {t('notes.search.clear')}
            </Button>
          )}
        </Group>
      </Stack>

      {filtering ? (
        <>
          {search.isPending && <Loader size="sm" aria-label={t('notes.search.searching')} />}
          {search.error && (
            <Alert color="red" role="alert">
              {t('notes.search.failed', { reason: errorText(t, search.error) })}
            </Alert>
          )}
          {search.data && (
            <Text size="sm" role="status" aria-live="polite">
              {search.data.hits.length === 0
                ? t('notes.search.none')
                : search.data.more
                  ? t('notes.search.countMore', { count: search.data.hits.length })
                  : t('notes.search.count', { count: search.data.hits.length })}
            </Text>
          )}
          {search.data && search.data.hits.length > 0 && (
            <Stack gap="sm" component="ol" className={classes.plainList} aria-label={t('notes.search.results')}>
              {search.data.hits.map((hit) => (
                <li key={hit.note.id}>
                  <NoteRow note={hit.note}>
                    {hit.snippet && (
                      <Text size="sm" className={classes.snippet}>
                        {highlightSegments(hit.snippet, hit.highlights)}
                      </Text>
                    )}
                  </NoteRow>
                </li>
              ))}
            </Stack>
          )}
        </>
      ) : (
        <>
          <Text fw={600}>{t('notes.search.recentTitle')}</Text>
          {recent.isPending && <Loader size="sm" aria-label={t('notes.timeline.loading')} />}
          {recent.error && (
            <Alert color="red" role="alert">
              {t('notes.timeline.loadFailed', { reason: errorText(t, recent.error) })}
            </Alert>
          )}
          {recent.data && recent.data.notes.length === 0 && <Text size="sm">{t('notes.search.recentEmpty')}</Text>}
          {recent.data && recent.data.notes.length > 0 && (
            <Stack gap="sm" component="ol" className={classes.plainList} aria-label={t('notes.search.recentTitle')}>
              {recent.data.notes.map((note) => (
                <li key={note.id}>
                  <NoteRow note={note} />
                </li>
              ))}
            </Stack>
          )}
        </>
      )}
    </Page>
  );
}

function NoteRow({ note, children }: { note: NoteSummary; children?: React.ReactNode }) {
  const { t, i18n } = useTranslation();
  const templates = useNoteTemplates();
  return (
    <Paper withBorder p="sm">
      <Stack gap={4}>
        <Group justify="space-between" gap="xs" wrap="wrap" align="flex-start">
          <div>
            <Anchor component={Link} to={`/notes/${note.id}`} fw={600}>
              {t('notes.search.hitTitle', {
                client: note.clientName,
                template: templateName(t, templates.data?.templates, note.templateId),
              })}
            </Anchor>
            <Text size="xs" c="dimmed">
              {[
                note.sessionDate
                  ? t('notes.editor.session', {
                      date: formatSessionStart(note.sessionDate, note.sessionTime, i18n.language),
                    })
                  : null,
                note.authorName ? t('client.byAuthor', { name: note.authorName }) : null,
              ]
                .filter(Boolean)
                .join(' · ')}
            </Text>
          </div>
          <NoteBadges note={note} />
        </Group>
        {children}
      </Stack>
    </Paper>
  );
}
