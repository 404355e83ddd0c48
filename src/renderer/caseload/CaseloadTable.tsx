import { Anchor, Badge, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconArrowsSort, IconCloudUp, IconSortAscending, IconSortDescending } from '@tabler/icons-react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import type { CaseloadRow } from '../../shared/caseload/caseload';
import { formatDate, formatDateTime, formatRelative } from '../i18n/format';
import { AlertBadges, NoneText, RiskFlagBadges } from './badges';
import { FIRST_DIRECTION, type SortDirection, type SortKey } from './caseload-view';
import { Sparkline } from './Sparkline';
import classes from './CaseloadTable.module.css';

type Column = { id: string; labelKey: `caseload.columns.${string}`; sort?: SortKey; width: number };

const COLUMNS: readonly Column[] = [
  { id: 'name', labelKey: 'caseload.columns.name', sort: 'name', width: 155 },
  { id: 'risk', labelKey: 'caseload.columns.risk', width: 120 },
  { id: 'program', labelKey: 'caseload.columns.program', width: 90 },
  { id: 'next', labelKey: 'caseload.columns.next', sort: 'next', width: 125 },
  { id: 'lastContact', labelKey: 'caseload.columns.lastContact', width: 95 },
  { id: 'daysSince', labelKey: 'caseload.columns.daysSince', sort: 'daysSince', width: 80 },
  { id: 'craving', labelKey: 'caseload.columns.craving', sort: 'craving', width: 85 },
  { id: 'phq9', labelKey: 'caseload.columns.phq9', sort: 'phq9', width: 115 },
  { id: 'alerts', labelKey: 'caseload.columns.alerts', width: 150 },
];

const ROW_ESTIMATE = 64;

/**
 * A real table (screen readers get rows, columns and headers) whose body renders only the rows
 * in view, with spacer rows above and below. Each client's name is a link: Tab reaches it,
 * Enter opens the chart; the arrow keys, Home and End move between clients.
 */
export function CaseloadTable({
  rows,
  sort,
  direction,
  onSort,
}: {
  rows: readonly CaseloadRow[];
  sort: SortKey;
  direction: SortDirection;
  onSort: (sort: SortKey, direction: SortDirection) => void;
}) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  // Back from a chart returns to the same search, filters and sort.
  const linkState = { caseloadSearch: useLocation().search.replace(/^\?/, '') };
  const scroller = useRef<HTMLDivElement>(null);
  // The virtualizer's functions are read during render on purpose; the table is not memoised.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 6,
    getItemKey: (index) => rows[index]?.id ?? index,
  });
  const items = virtualizer.getVirtualItems();
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = items.length > 0 ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;

  const focusRow = (index: number): void => {
    const target = Math.max(0, Math.min(rows.length - 1, index));
    virtualizer.scrollToIndex(target, { align: 'auto' });
    const tryFocus = (attempt: number): void => {
      const link = scroller.current?.querySelector<HTMLAnchorElement>(`a[data-row-index="${target}"]`);
      if (link) link.focus();
      else if (attempt < 10) requestAnimationFrame(() => tryFocus(attempt + 1));
    };
    requestAnimationFrame(() => tryFocus(0));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTableSectionElement>): void => {
    const current = (event.target as HTMLElement).closest<HTMLElement>('[data-row-index]');
    if (!current) return;
    const index = Number(current.dataset['rowIndex']);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + 10,
      PageUp: index - 10,
      Home: 0,
      End: rows.length - 1,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    focusRow(next);
  };

  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed" id="caseload-keyboard-hint">
        {t('caseload.keyboardHint')}
      </Text>
      <div
        ref={scroller}
        className={classes.scroller}
        // The scroll area is reachable by keyboard only through its links (no extra tab stop).
      >
        <table
          className={classes.table}
          aria-label={t('caseload.tableLabel')}
          aria-describedby="caseload-keyboard-hint"
          aria-rowcount={rows.length + 1}
        >
          <colgroup>
            {COLUMNS.map((column) => (
              <col key={column.id} style={{ width: column.width }} />
            ))}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              {COLUMNS.map((column) => {
                const label = t(column.labelKey as never);
                const active = column.sort !== undefined && column.sort === sort;
                return (
                  <th
                    key={column.id}
                    scope="col"
                    aria-sort={active ? (direction === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    {column.sort ? (
                      <UnstyledButton
                        className={classes.sortButton}
                        onClick={() => {
                          const key = column.sort!;
                          onSort(key, active ? (direction === 'asc' ? 'desc' : 'asc') : FIRST_DIRECTION[key]);
                        }}
                        aria-label={t('caseload.sortBy', { column: label })}
                      >
                        <span>{label}</span>
                        {active ? (
                          direction === 'asc' ? (
                            <IconSortAscending size={14} aria-hidden />
                          ) : (
                            <IconSortDescending size={14} aria-hidden />
                          )
                        ) : (
                          <IconArrowsSort size={14} aria-hidden className={classes.sortIdle} />
                        )}
                      </UnstyledButton>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody onKeyDown={onKeyDown}>
            {paddingTop > 0 && (
              <tr aria-hidden className={classes.spacer}>
                <td colSpan={COLUMNS.length} style={{ height: paddingTop }} />
              </tr>
            )}
            {items.map((item) => {
              const row = rows[item.index]!;
              const craving = row.craving.map((point) => point.value);
              const phq9 = row.phq9.at(-1);
              return (
                <tr
                  key={item.key}
                  ref={virtualizer.measureElement}
                  data-index={item.index}
                  aria-rowindex={item.index + 2}
                  className={classes.row}
                  onClick={(event) => {
                    if ((event.target as HTMLElement).closest('a, button')) return;
                    void navigate(`/clients/${row.id}`, { state: linkState });
                  }}
                >
                  <td>
                    <Stack gap={2}>
                      <Anchor
                        component={Link}
                        to={`/clients/${row.id}`}
                        state={linkState}
                        fw={600}
                        data-row-index={item.index}
                        className={classes.nameLink}
                      >
                        {row.displayName}
                      </Anchor>
                      {row.status !== 'active' && (
                        <Badge size="xs" variant="outline" color="gray" style={{ textTransform: 'none' }}>
                          {t(`caseload.status.${row.status}`)}
                        </Badge>
                      )}
                      {row.pendingChanges > 0 && (
                        <Group gap={4} wrap="nowrap">
                          <IconCloudUp size={12} aria-hidden />
                          <Text size="xs" c="dimmed">
                            {t('caseload.pending', { count: row.pendingChanges })}
                          </Text>
                        </Group>
                      )}
                    </Stack>
                  </td>
                  <td>{row.riskFlags.length > 0 ? <RiskFlagBadges flags={row.riskFlags} /> : <NoneText />}</td>
                  <td>
                    <Text size="sm">{t(`caseload.programs.${row.program}`)}</Text>
                    <Text size="xs" c="dimmed">
                      {row.levelOfCare}
                    </Text>
                  </td>
                  <td>
                    {row.nextAppointmentAt ? (
                      <>
                        <Text size="sm">{formatDateTime(row.nextAppointmentAt, i18n.language)}</Text>
                        <Text size="xs" c="dimmed">
                          {formatRelative(row.nextAppointmentAt, i18n.language)}
                        </Text>
                      </>
                    ) : (
                      <NoneText />
                    )}
                  </td>
                  <td>
                    {row.lastContactAt ? (
                      <>
                        <Text size="sm">{formatRelative(row.lastContactAt, i18n.language)}</Text>
                        <Text size="xs" c="dimmed">
                          {formatDate(row.lastContactAt, i18n.language)}
                        </Text>
                      </>
                    ) : (
                      <NoneText />
                    )}
                  </td>
                  <td>
                    {row.daysSinceLastSession === null ? (
                      <NoneText>{t('caseload.noSession')}</NoneText>
                    ) : (
                      <Text size="sm">{t('caseload.days', { count: row.daysSinceLastSession })}</Text>
                    )}
                  </td>
                  <td>
                    {craving.length > 0 ? (
                      <Group gap={8} wrap="nowrap">
                        <Text size="sm" fw={600} miw={18}>
                          {craving.at(-1)}
                        </Text>
                        <Sparkline
                          values={craving}
                          max={10}
                          width={48}
                          label={t('caseload.trendLabel', {
                            measure: t('caseload.columns.craving'),
                            count: craving.length,
                            values: craving.join(', '),
                          })}
                        />
                      </Group>
                    ) : (
                      <NoneText />
                    )}
                  </td>
                  <td>
                    {phq9 ? (
                      <Stack gap={0}>
                        <Group gap={8} wrap="nowrap">
                          <Text size="sm" fw={600} miw={18}>
                            {phq9.value}
                          </Text>
                          <Sparkline
                            values={row.phq9.map((point) => point.value)}
                            max={27}
                            width={48}
                            label={t('caseload.trendLabel', {
                              measure: t('caseload.columns.phq9'),
                              count: row.phq9.length,
                              values: row.phq9.map((point) => point.value).join(', '),
                            })}
                          />
                        </Group>
                        {phq9.band && (
                          <Text size="xs" c="dimmed">
                            {t(`caseload.bands.${phq9.band}` as never, { defaultValue: phq9.band })}
                          </Text>
                        )}
                      </Stack>
                    ) : (
                      <NoneText />
                    )}
                  </td>
                  <td>{row.alerts.length > 0 ? <AlertBadges alerts={row.alerts} /> : <NoneText />}</td>
                </tr>
              );
            })}
            {paddingBottom > 0 && (
              <tr aria-hidden className={classes.spacer}>
                <td colSpan={COLUMNS.length} style={{ height: paddingBottom }} />
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </Stack>
  );
}
