import {
  IconAlertTriangle,
  IconCalendarEvent,
  IconSettings,
  IconUsers,
  IconUsersGroup,
  type Icon,
} from '@tabler/icons-react';

export interface NavigationItem {
  path: string;
  labelKey: 'nav.today' | 'nav.caseload' | 'nav.escalations' | 'nav.conference' | 'nav.settings';
  icon: Icon;
}

/** The main pages, in the order the navigation and the command palette list them. */
export const NAVIGATION: readonly NavigationItem[] = [
  { path: '/today', labelKey: 'nav.today', icon: IconCalendarEvent },
  { path: '/caseload', labelKey: 'nav.caseload', icon: IconUsers },
  { path: '/escalations', labelKey: 'nav.escalations', icon: IconAlertTriangle },
  { path: '/conference', labelKey: 'nav.conference', icon: IconUsersGroup },
  { path: '/settings', labelKey: 'nav.settings', icon: IconSettings },
];
