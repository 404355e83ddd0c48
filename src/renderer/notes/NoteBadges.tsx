import { Badge, Group } from '@mantine/core';
import { IconLock, IconShieldLock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { NoteSummary } from '../../shared/notes/rpc';

/**
 * A note's state in words (colour only repeats it): Draft or Signed, the co-signature state,
 * addenda, late entry, conflict, waiting to sync, protected.
 */
export function NoteBadges({ note }: { note: NoteSummary }) {
  const { t } = useTranslation();
  const badge = (key: string, color: string, label: string, icon?: React.ReactNode) => (
    <Badge key={key} color={color} variant="light" tt="none" leftSection={icon}>
      {label}
    </Badge>
  );
  const badges = [
    note.status === 'signed'
      ? badge('status', 'green', t('notes.badges.signed'), <IconLock size={12} aria-hidden />)
      : badge('status', 'yellow', t('notes.badges.draft')),
  ];
  if (note.cosign === 'pending') badges.push(badge('cosign', 'orange', t('notes.badges.cosignPending')));
  if (note.cosign === 'cosigned') badges.push(badge('cosign', 'teal', t('notes.badges.cosigned')));
  if (note.cosign === 'returned') badges.push(badge('cosign', 'red', t('notes.badges.returned')));
  if (note.addendumCount > 0)
    badges.push(badge('addenda', 'blue', t('notes.badges.addenda', { count: note.addendumCount })));
  if (note.proposalCount > 0)
    badges.push(badge('proposals', 'orange', t('notes.badges.proposals', { count: note.proposalCount })));
  if (note.lateEntry) badges.push(badge('late', 'orange', t('notes.badges.lateEntry')));
  if (note.conflict) badges.push(badge('conflict', 'red', t('notes.badges.conflict')));
  if (note.pendingSync) badges.push(badge('sync', 'gray', t('notes.badges.pendingSync')));
  if (note.isProtected)
    badges.push(badge('protected', 'grape', t('notes.protected_note.badge'), <IconShieldLock size={12} aria-hidden />));
  if (note.isProtected && note.sharedWithCareTeam) badges.push(badge('shared', 'grape', t('notes.sharing.badge')));
  return (
    <Group gap={4} wrap="wrap">
      {badges}
    </Group>
  );
}
