import { Group, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { MAX_NOTE_CONTENT_BYTES, NOTE_LENGTH_WARNING_BYTES } from '../../shared/notes/content';

const MB = 1024 * 1024;

/**
 * Shown in the editor's action bar (always in view, also while typing at the end of a long
 * note) once the draft's last save is near the longest note a workstation saves
 * (`NOTE_LENGTH_WARNING_BYTES`): how long it is and what to do, so the clinician is not surprised
 * by a refused save (NOTE_TOO_LONG) mid-sentence.
 */
export function NoteLengthNotice({ contentBytes }: { contentBytes: number | null }) {
  const { t, i18n } = useTranslation();
  if (contentBytes === null || contentBytes < NOTE_LENGTH_WARNING_BYTES) return null;
  const size = new Intl.NumberFormat(i18n.language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return (
    <Group gap={6} wrap="nowrap" role="status" aria-live="polite">
      <IconAlertTriangle size={16} color="var(--mantine-color-orange-7)" aria-hidden style={{ flexShrink: 0 }} />
      <Text size="sm" fw={600}>
        {t('notes.save.long', {
          // Rounded down: a note just under the limit never reads as "4.0 MB of 4.0 MB".
          size: size.format(Math.floor((contentBytes / MB) * 10) / 10),
          limit: size.format(MAX_NOTE_CONTENT_BYTES / MB),
        })}
      </Text>
    </Group>
  );
}
