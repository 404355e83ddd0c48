import {
  IconAlertTriangle,
  IconCalendarEvent,
  IconNotes,
  IconSettings,
  IconSignature,
  IconUsers,
  IconUsersGroup,
  type Icon,
} from '@tabler/icons-react';
import { useMemo } from 'react';
import type { SessionUserView } from '../../shared/session/session';
import { useRpcQuery } from '../rpc/hooks';

export interface NavigationItem {
  path: string;
  labelKey:
    | 'nav.today'
    | 'nav.caseload'
    | 'nav.notes'
    | 'nav.cosignQueue'
    | 'nav.escalations'
    | 'nav.conference'
    | 'nav.settings';
  icon: Icon;
  /** Shown only to these roles (everyone when absent). */
  roles?: readonly SessionUserView['role'][];
}

/** The main pages, in the order the navigation and the command palette list them. */
export const NAVIGATION: readonly NavigationItem[] = [
  { path: '/today', labelKey: 'nav.today', icon: IconCalendarEvent },
  { path: '/caseload', labelKey: 'nav.caseload', icon: IconUsers },
  { path: '/notes', labelKey: 'nav.notes', icon: IconNotes },
  { path: '/cosign', labelKey: 'nav.cosignQueue', icon: IconSignature, roles: ['supervisor'] },
  { path: '/escalations', labelKey: 'nav.escalations', icon: IconAlertTriangle },
  { path: '/conference', labelKey: 'nav.conference', icon: IconUsersGroup },
  { path: '/settings', labelKey: 'nav.settings', icon: IconSettings },
];

/** The pages the signed-in user's role uses (a supervisor also has the co-sign queue). */
export function useNavigation(): readonly NavigationItem[] {
  const session = useRpcQuery('session.status', {});
  const role = session.data?.user?.role;
  return useMemo(
    () => NAVIGATION.filter((item) => !item.roles || (role !== undefined && item.roles.includes(role))),
    [role],
  );
}
