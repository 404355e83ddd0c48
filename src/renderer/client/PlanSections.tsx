import { List, SimpleGrid, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** Stanley–Brown order: the clinician reads the steps the way the client uses them. */
export const SAFETY_SECTIONS = [
  'warningSigns',
  'internalCoping',
  'distractions',
  'peopleToAsk',
  'professionalsAndCrisisLines',
  'safeEnvironment',
  'whereKept',
  'barriers',
] as const;

export const RELAPSE_SECTIONS = ['warningSigns', 'triggers', 'copingStrategies', 'supports', 'afterALapse'] as const;

/** A plan's sections (lists or a sentence), each under its heading, in the plan's own order. */
export function PlanSections({
  content,
  sections,
  labelKey,
  headingLevel = 'h5',
}: {
  content: Record<string, string[] | string>;
  sections: readonly string[];
  labelKey: 'client.safetyPlanSections' | 'client.relapseSections';
  headingLevel?: 'h4' | 'h5';
}) {
  const { t } = useTranslation();
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, xl: 3 }} spacing="sm" verticalSpacing="sm">
      {sections.map((section) => {
        const value = content[section];
        if (value === undefined && (section === 'whereKept' || section === 'barriers')) return null;
        return (
          <div key={section}>
            <Text size="sm" fw={700} component={headingLevel} m={0}>
              {t(`${labelKey}.${section}` as never)}
            </Text>
            {typeof value === 'string' ? (
              <Text size="sm">{value}</Text>
            ) : value && value.length > 0 ? (
              <List size="sm" spacing={2}>
                {value.map((item, index) => (
                  <List.Item key={index}>{item}</List.Item>
                ))}
              </List>
            ) : (
              <Text size="sm" c="dimmed">
                {t('client.nothingListed')}
              </Text>
            )}
          </div>
        );
      })}
    </SimpleGrid>
  );
}
