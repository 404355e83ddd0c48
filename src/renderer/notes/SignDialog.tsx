import { Alert, Anchor, List, Modal, Stack, Text } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { NoteContent } from '../../shared/notes/content';
import { missingForSigning, type SigningProblem } from '../../shared/notes/signing';
import type { TemplateDefinition } from '../../shared/notes/templates/schema';
import { PassphraseForm } from './PassphraseForm';
import { tk } from './templates';

/** A signing problem in words: `notes.signing.<code>` with the field's label (and the member's name). */
export function problemText(t: TFunction, problem: SigningProblem, memberName?: (id: string) => string): string {
  const field = problem.labelKey ? tk(t, problem.labelKey) : '';
  const text = tk(t, `notes.signing.${problem.code}`, { field });
  return problem.memberId && memberName ? `${memberName(problem.memberId)}: ${text}` : text;
}

/**
 * "Sign note": lists what is missing (each item focuses its field), or, when the note is
 * complete, asks for the workstation passphrase. The core checks everything again.
 */
export function SignDialog({
  opened,
  onClose,
  template,
  content,
  memberName,
  onFocusField,
  onSign,
}: {
  opened: boolean;
  onClose: () => void;
  template: TemplateDefinition;
  content: NoteContent;
  memberName: (id: string) => string;
  onFocusField: (path: string) => void;
  onSign: (passphrase: string) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const problems = opened ? missingForSigning(template, content) : [];
  // Where focus goes when the dialog closes: the field of the problem chosen, otherwise back
  // to what opened the dialog (done here rather than by the Modal, which would take focus back
  // from the field).
  const returnTo = useRef<HTMLElement | null>(null);
  const target = useRef<string | null>(null);
  useEffect(() => {
    if (opened) {
      returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      target.current = null;
      return;
    }
    const timer = window.setTimeout(() => {
      if (target.current) onFocusField(target.current);
      else returnTo.current?.focus({ preventScroll: true });
      target.current = null;
      returnTo.current = null;
    }, 50);
    return () => window.clearTimeout(timer);
  }, [opened, onFocusField]);
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      returnFocus={false}
      title={t('notes.sign.title')}
      closeButtonProps={{ 'aria-label': t('app.close') }}
      size="lg"
    >
      {problems.length > 0 ? (
        <Stack gap="sm">
          <Alert color="yellow" role="alert" title={t('notes.sign.missingTitle', { count: problems.length })}>
            <Text size="sm">{t('notes.sign.missingIntro')}</Text>
          </Alert>
          <List spacing={4} aria-label={t('notes.sign.missingList')}>
            {problems.map((problem, index) => (
              <List.Item key={`${problem.path}-${problem.code}-${index}`}>
                <Anchor
                  component="button"
                  type="button"
                  size="sm"
                  onClick={() => {
                    target.current = problem.path;
                    onClose();
                  }}
                >
                  {problemText(t, problem, memberName)}
                </Anchor>
              </List.Item>
            ))}
          </List>
        </Stack>
      ) : (
        <PassphraseForm submitLabel={t('notes.sign.submit')} onSubmit={onSign} onCancel={onClose}>
          <Text size="sm">{t('notes.sign.intro')}</Text>
        </PassphraseForm>
      )}
    </Modal>
  );
}
