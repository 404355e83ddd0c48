import { Alert, Anchor, Badge, Group, Loader, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconCheck, IconX } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'react-router';
import type { ClientOverview } from '../../shared/caseload/caseload';
import { RiskFlagBadges } from '../caseload/badges';
import { ageOn, errorText, formatDate, formatDateTime, humanise } from '../i18n/format';
import { useRpcQuery } from '../rpc/hooks';
import { RpcError } from '../../shared/rpc/errors';
import { Page } from '../shell/Page';
import { NotesTimeline } from '../notes/NotesTimeline';
import { PlanSections, RELAPSE_SECTIONS, SAFETY_SECTIONS } from './PlanSections';
import classes from './ClientOverviewPage.module.css';

const DAY_MS = 86_400_000;

/**
 * One client's chart overview, read before a session: risk flags and the safety plan first,
 * then who the client is and how to reach their people, the care team, consents, medications,
 * appointments, notes and measures. Opening it is an audited access (the core records it).
 */
export function ClientOverviewPage() {
  const { t } = useTranslation();
  const { clientId = '' } = useParams();
  const location = useLocation();
  const backSearch = (location.state as { caseloadSearch?: string } | null)?.caseloadSearch ?? '';
  const { data, error, isPending } = useRpcQuery('client.overview', { clientId });

  const back = (
    <Anchor component={Link} to={`/caseload${backSearch ? `?${backSearch}` : ''}`} size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={16} aria-hidden />
        {t('client.back')}
      </Group>
    </Anchor>
  );

  if (isPending) {
    return (
      <Page title={t('client.loading')} before={back}>
        <Loader size="sm" aria-label={t('client.loading')} />
      </Page>
    );
  }
  if (error || !data) {
    const notFound = error instanceof RpcError && (error.code === 'NOT_FOUND' || error.code === 'BAD_REQUEST');
    return (
      <Page title={t('nav.caseload')} before={back}>
        <Alert color={notFound ? 'yellow' : 'red'} role="alert">
          {notFound ? t('client.notFound') : t('client.loadFailed', { reason: errorText(t, error) })}
        </Alert>
      </Page>
    );
  }
  return <Overview overview={data} back={back} />;
}

function Overview({ overview, back }: { overview: ClientOverview; back: ReactNode }) {
  const { t, i18n } = useTranslation();
  const { client } = overview;
  const name = `${client.preferredName?.trim() || client.givenName} ${client.familyName}`;
  const age = ageOn(client.dateOfBirth);
  const safety = overview.plans.find((plan) => plan.kind === 'safety');
  const relapse = overview.plans.find((plan) => plan.kind === 'relapse_prevention');
  // The time the chart was opened: appointments split into upcoming and recent around it.
  const [now] = useState(() => Date.now());
  const upcoming = overview.appointments
    .filter((appointment) => Date.parse(appointment.startsAt) >= now)
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const recent = overview.appointments.filter((appointment) => Date.parse(appointment.startsAt) < now);

  const summary = [
    client.preferredName && client.preferredName !== client.givenName
      ? `${client.givenName} ${client.familyName}`
      : null,
    client.pronouns,
    age !== null ? t('client.age', { count: age }) : null,
    `${t(`caseload.programs.${client.program}`)} · ${client.levelOfCare}`,
    client.status !== 'active' ? t(`caseload.status.${client.status}`) : null,
  ].filter((part): part is string => Boolean(part));

  return (
    <Page title={name} before={back} wide>
      <Text c="dimmed" mt={-8}>
        {summary.join(' · ')}
      </Text>

      <Paper withBorder p="md" className={classes.risk} component="section" aria-labelledby="risk-heading">
        <Stack gap="md">
          <Title order={3} id="risk-heading">
            {t('client.riskAndSafety')}
          </Title>
          <div>
            <Title order={4} size="h5" mb={6}>
              {t('client.riskFlags')}
            </Title>
            {client.riskFlags.length > 0 ? (
              <RiskFlagBadges flags={client.riskFlags} size="md" />
            ) : (
              <Text size="sm">{t('client.noRiskFlags')}</Text>
            )}
          </div>
          <div>
            <Group gap="sm" mb={6}>
              <Title order={4} size="h5">
                {t('client.safetyPlan')}
              </Title>
              {safety && <PlanMeta plan={safety} />}
            </Group>
            {safety ? (
              <PlanSections content={safety.content} sections={SAFETY_SECTIONS} labelKey="client.safetyPlanSections" />
            ) : (
              <Text size="sm">{t('client.safetyPlanMissing')}</Text>
            )}
          </div>
        </Stack>
      </Paper>

      <Section title={t('client.relapsePlan')} aside={relapse ? <PlanMeta plan={relapse} /> : null}>
        {relapse ? (
          <PlanSections
            content={relapse.content}
            sections={RELAPSE_SECTIONS}
            labelKey="client.relapseSections"
            headingLevel="h4"
          />
        ) : (
          <Text size="sm">{t('client.relapsePlanMissing')}</Text>
        )}
      </Section>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <Stack gap="md">
          <Section title={t('client.identity')}>
            <dl className={classes.facts}>
              <Fact label={t('client.preferredName')} value={client.preferredName} />
              <Fact label={t('client.pronouns')} value={client.pronouns} />
              <Fact
                label={t('client.dateOfBirth')}
                value={`${formatDate(client.dateOfBirth, i18n.language)}${age !== null ? ` (${t('client.age', { count: age })})` : ''}`}
              />
              <Fact label={t('client.phone')} value={client.phone} />
              <Fact
                label={t('client.address')}
                value={
                  client.address
                    ? [
                        client.address.line1,
                        client.address.line2,
                        `${client.address.city}, ${client.address.region} ${client.address.postalCode}`,
                        client.address.country,
                      ]
                        .filter(Boolean)
                        .join('\n')
                    : null
                }
              />
              <Fact label={t('client.mrn')} value={client.mrn} />
              <Fact label={t('client.program')} value={t(`caseload.programs.${client.program}`)} />
              <Fact label={t('client.levelOfCare')} value={client.levelOfCare} />
              <Fact label={t('client.status')} value={t(`caseload.status.${client.status}`)} />
              <Fact
                label={t('client.recoveryStart')}
                value={client.recoveryStartDate ? formatDate(client.recoveryStartDate, i18n.language) : null}
              />
              <Fact label={t('client.preferredHospital')} value={client.preferredHospital} />
            </dl>
          </Section>

          <Section title={t('client.contacts')}>
            {overview.emergencyContacts.length === 0 ? (
              <Text size="sm">{t('client.contactsEmpty')}</Text>
            ) : (
              <Stack gap="sm" component="ul" className={classes.plainList}>
                {overview.emergencyContacts.map((contact) => (
                  <li key={contact.id}>
                    <Group justify="space-between" gap="xs" wrap="wrap">
                      <div>
                        <Text size="sm" fw={600}>
                          {contact.name}
                          {contact.relationship && ` (${contact.relationship})`}
                        </Text>
                        <Text size="sm">{contact.phone}</Text>
                      </div>
                      {contact.hasRelease ? (
                        <Badge
                          color="green"
                          variant="light"
                          leftSection={<IconCheck size={12} aria-hidden />}
                          tt="none"
                        >
                          {t('client.releaseOnFile')}
                        </Badge>
                      ) : (
                        <Badge color="orange" variant="light" leftSection={<IconX size={12} aria-hidden />} tt="none">
                          {t('client.noRelease')}
                        </Badge>
                      )}
                    </Group>
                  </li>
                ))}
              </Stack>
            )}
          </Section>

          <Section title={t('client.careTeam')}>
            {overview.careTeam.length === 0 ? (
              <Text size="sm">{t('client.careTeamEmpty')}</Text>
            ) : (
              <Stack gap={6} component="ul" className={classes.plainList}>
                {overview.careTeam.map((member) => (
                  <li key={`${member.staffId}-${member.role}`}>
                    <Text size="sm">
                      <Text span fw={600} size="sm">
                        {member.displayName || t('client.unknownStaff')}
                        {member.credentials && `, ${member.credentials}`}
                      </Text>
                      {' · '}
                      {t(`client.roles.${member.role}` as never, { defaultValue: humanise(member.role) })}
                    </Text>
                  </li>
                ))}
              </Stack>
            )}
          </Section>

          <Section title={t('client.consents')}>
            {overview.consents.length === 0 ? (
              <Text size="sm">{t('client.consentsEmpty')}</Text>
            ) : (
              <Stack gap="sm" component="ul" className={classes.plainList}>
                {overview.consents.map((consent) => {
                  const state = consent.revokedAt ? 'revoked' : consent.active ? 'active' : 'expired';
                  return (
                    <li key={consent.id}>
                      <Group justify="space-between" gap="xs" wrap="wrap" align="flex-start">
                        <div>
                          <Text size="sm" fw={600}>
                            {t(`client.consentKinds.${consent.kind}` as never, {
                              defaultValue: humanise(consent.kind),
                            })}
                          </Text>
                          {consent.recipient && (
                            <Text size="sm">{t('client.consentTo', { recipient: consent.recipient })}</Text>
                          )}
                          <Text size="xs" c="dimmed">
                            {[
                              t('client.signedOn', { date: formatDate(consent.signedAt, i18n.language) }),
                              consent.revokedAt
                                ? t('client.revokedOn', { date: formatDate(consent.revokedAt, i18n.language) })
                                : consent.expiresAt
                                  ? t(consent.active ? 'client.expiresOn' : 'client.expiredOn', {
                                      date: formatDate(consent.expiresAt, i18n.language),
                                    })
                                  : null,
                            ]
                              .filter(Boolean)
                              .join(' · ')}
                          </Text>
                        </div>
                        <Badge
                          color={state === 'active' ? 'green' : state === 'revoked' ? 'red' : 'gray'}
                          variant="light"
                          tt="none"
                        >
                          {t(`client.consentState.${state}`)}
                        </Badge>
                      </Group>
                    </li>
                  );
                })}
              </Stack>
            )}
          </Section>
        </Stack>

        <Stack gap="md">
          <Section title={t('client.medications')}>
            {overview.medications.length === 0 ? (
              <Text size="sm">{t('client.medicationsEmpty')}</Text>
            ) : (
              <Stack gap="sm" component="ul" className={classes.plainList}>
                {overview.medications.map((medication) => {
                  const due = medication.refillDue ? Date.parse(`${medication.refillDue}T23:59:59`) : null;
                  const overdue = due !== null && due < now;
                  const soon = due !== null && !overdue && due - now <= 3 * DAY_MS;
                  return (
                    <li key={medication.id}>
                      <Group justify="space-between" gap="xs" wrap="wrap" align="flex-start">
                        <div>
                          <Text size="sm" fw={600}>
                            {medication.name}
                            {medication.dose && ` ${medication.dose}`}
                            {medication.frequency && `, ${medication.frequency}`}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {[
                              t(`client.medicationCategories.${medication.category}` as never, {
                                defaultValue: humanise(medication.category),
                              }),
                              medication.prescriber ? t('client.prescribedBy', { name: medication.prescriber }) : null,
                            ]
                              .filter(Boolean)
                              .join(' · ')}
                          </Text>
                        </div>
                        <Group gap={4}>
                          {medication.status !== 'active' && (
                            <Badge color="gray" variant="light" tt="none">
                              {t(`client.medicationStatus.${medication.status}` as never, {
                                defaultValue: humanise(medication.status),
                              })}
                            </Badge>
                          )}
                          {medication.refillDue && medication.status === 'active' && (
                            <Badge color={overdue ? 'red' : soon ? 'orange' : 'gray'} variant="light" tt="none">
                              {t(overdue ? 'client.refillOverdue' : 'client.refillDue', {
                                date: formatDate(medication.refillDue, i18n.language),
                              })}
                            </Badge>
                          )}
                        </Group>
                      </Group>
                    </li>
                  );
                })}
              </Stack>
            )}
          </Section>

          <Section title={t('client.appointments')}>
            <Title order={4} size="h5" mb={4}>
              {t('client.upcoming')}
            </Title>
            <AppointmentList items={upcoming} empty={t('client.noUpcoming')} />
            <Title order={4} size="h5" mt="sm" mb={4}>
              {t('client.recent')}
            </Title>
            <AppointmentList items={recent} empty={t('client.noRecent')} />
          </Section>

          <Section title={t('client.notes')}>
            <NotesTimeline clientId={client.id} clientName={name} />
          </Section>

          <Section title={t('client.measures')}>
            {overview.measures.length === 0 ? (
              <Text size="sm">{t('client.measuresEmpty')}</Text>
            ) : (
              <Table.ScrollContainer minWidth={360}>
                <Table striped verticalSpacing={4}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('client.measureColumns.instrument')}</Table.Th>
                      <Table.Th scope="col">{t('client.measureColumns.date')}</Table.Th>
                      <Table.Th scope="col">{t('client.measureColumns.score')}</Table.Th>
                      <Table.Th scope="col">{t('client.measureColumns.band')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {overview.measures.map((measure) => (
                      <Table.Tr key={measure.id}>
                        <Table.Td>
                          {t(`client.instruments.${measure.instrument}` as never, { defaultValue: measure.instrument })}
                        </Table.Td>
                        <Table.Td>{formatDate(measure.administeredAt, i18n.language)}</Table.Td>
                        <Table.Td>{measure.totalScore ?? t('client.noTotal')}</Table.Td>
                        <Table.Td>
                          {measure.band
                            ? t(`caseload.bands.${measure.band}` as never, { defaultValue: humanise(measure.band) })
                            : '—'}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Section>
        </Stack>
      </SimpleGrid>
    </Page>
  );
}

function Section({ title, aside, children }: { title: string; aside?: ReactNode; children: ReactNode }) {
  const id = `section-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Group gap="sm" mb="sm">
        <Title order={3} size="h4" id={id}>
          {title}
        </Title>
        {aside}
      </Group>
      {children}
    </Paper>
  );
}

function Fact({ label, value }: { label: string; value: string | null }) {
  const { t } = useTranslation();
  return (
    <>
      <dt>{label}</dt>
      <dd className={value ? classes.preLine : classes.missing}>{value ?? t('client.notRecorded')}</dd>
    </>
  );
}

function PlanMeta({ plan }: { plan: ClientOverview['plans'][number] }) {
  const { t, i18n } = useTranslation();
  return (
    <Text size="xs" c="dimmed">
      {t('client.planMeta', {
        version: plan.version,
        status: t(`client.planStatus.${plan.status}` as never, { defaultValue: humanise(plan.status) }),
        date: formatDate(plan.updatedAt, i18n.language),
      })}
    </Text>
  );
}

function AppointmentList({ items, empty }: { items: ClientOverview['appointments']; empty: string }) {
  const { t, i18n } = useTranslation();
  if (items.length === 0) return <Text size="sm">{empty}</Text>;
  return (
    <Stack gap={4} component="ul" className={classes.plainList}>
      {items.map((appointment) => (
        <li key={`${appointment.id}-${appointment.startsAt}`}>
          <Group justify="space-between" gap="xs" wrap="nowrap">
            <Text size="sm">
              <Text span size="sm" fw={600}>
                {formatDateTime(appointment.startsAt, i18n.language)}
              </Text>
              {' · '}
              {t(`client.appointmentTypes.${appointment.type}` as never, { defaultValue: humanise(appointment.type) })}
              {' · '}
              {t(`client.modalities.${appointment.modality}` as never, {
                defaultValue: humanise(appointment.modality),
              })}
            </Text>
            <Badge
              color={
                appointment.status === 'no_show'
                  ? 'red'
                  : appointment.status === 'completed'
                    ? 'green'
                    : appointment.status === 'cancelled'
                      ? 'gray'
                      : 'blue'
              }
              variant="light"
              tt="none"
              style={{ flex: 'none' }}
            >
              {t(`client.appointmentStatus.${appointment.status}` as never, {
                defaultValue: humanise(appointment.status),
              })}
            </Badge>
          </Group>
        </li>
      ))}
    </Stack>
  );
}
