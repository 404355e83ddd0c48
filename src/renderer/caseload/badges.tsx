import { Badge, Group, Text } from '@mantine/core';
import {
  IconAlertTriangle,
  IconCalendarX,
  IconClipboardCheck,
  IconMessageOff,
  IconPill,
  IconUrgent,
  IconFlask,
} from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { CaseloadAlert } from '../../shared/caseload/caseload';
import { humanise } from '../i18n/format';

/** Badges keep every word: they wrap onto a second line rather than cut the text. */
export const WRAPPING = {
  root: { height: 'auto', minHeight: 'var(--badge-height)', paddingBlock: 2, textTransform: 'none' as const },
  label: {
    whiteSpace: 'normal' as const,
    overflow: 'visible',
    textOverflow: 'clip',
    lineHeight: 1.25,
    textAlign: 'left' as const,
  },
};

/** Risk flags as words on a badge (never colour alone). */
export function RiskFlagBadges({ flags, size = 'sm' }: { flags: readonly string[]; size?: 'sm' | 'md' | 'lg' }) {
  const { t } = useTranslation();
  if (flags.length === 0) return null;
  return (
    <Group gap={4}>
      {flags.map((flag) => (
        <Badge
          key={flag}
          color="red"
          variant="light"
          size={size}
          leftSection={<IconAlertTriangle size={12} aria-hidden />}
          styles={WRAPPING}
        >
          {t(`riskFlags.${flag}` as never, { defaultValue: humanise(flag) })}
        </Badge>
      ))}
    </Group>
  );
}

const ALERT_ICONS: Record<CaseloadAlert, typeof IconUrgent> = {
  missed_checkins: IconMessageOff,
  phq9_item9: IconUrgent,
  missed_appointment: IconCalendarX,
  refill_due: IconPill,
  use_reported: IconFlask,
  checkin_unreviewed: IconClipboardCheck,
};

const URGENT: ReadonlySet<CaseloadAlert> = new Set(['phq9_item9', 'use_reported']);

export function AlertBadges({ alerts }: { alerts: readonly CaseloadAlert[] }) {
  const { t } = useTranslation();
  if (alerts.length === 0) return null;
  return (
    <Group gap={4}>
      {alerts.map((alert) => {
        const Icon = ALERT_ICONS[alert];
        return (
          <Badge
            key={alert}
            color={URGENT.has(alert) ? 'red' : 'orange'}
            variant={URGENT.has(alert) ? 'filled' : 'light'}
            size="sm"
            leftSection={<Icon size={12} aria-hidden />}
            styles={WRAPPING}
          >
            {t(`caseload.alerts.${alert}`)}
          </Badge>
        );
      })}
    </Group>
  );
}

/** "None" in dimmed text, for an empty cell (screen readers hear the word). */
export function NoneText({ children }: { children?: string }) {
  const { t } = useTranslation();
  return (
    <Text size="sm" c="dimmed">
      {children ?? t('caseload.none')}
    </Text>
  );
}
