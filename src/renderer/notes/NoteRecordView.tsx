import { Alert, Badge, Button, Group, Modal, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { IconArrowBackUp, IconCheck, IconClockExclamation, IconLock, IconPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type RichTextNode, richTextFromParagraphs, richTextPlain } from '../../shared/notes/content';
import type { AddendumView, NoteDetail } from '../../shared/notes/rpc';
import type { TemplateDefinition } from '../../shared/notes/templates/schema';
import { errorText, formatDateTime } from '../i18n/format';
import { RpcError } from '../../shared/rpc/errors';
import { useRpcClient } from '../rpc/RpcProvider';
import { ExportPdfButton } from './ExportPdfButton';
import { noteChanged, takeJustSigned } from './notes-cache';
import { NoteContentView } from './NoteContentView';
import { PassphraseForm, ShownError } from './PassphraseForm';
import { ProtectedNotice } from './ProtectedNotice';
import { RichTextField } from './RichTextField';
import { RichTextView } from './RichTextView';
import { SaveStatus } from './SaveStatus';
import { useAddendumDraftSaver } from './useDraftSaver';
import classes from './notes.module.css';

/**
 * A signed note (or a draft this clinician may not edit), read-only: its content, the
 * signature block (signer, time, content hash, late entry), the co-signature state, addenda
 * and addendum proposals, and what may be done next (add an addendum, co-sign or return it).
 */
export function NoteRecordView({
  detail,
  template,
  memberName,
}: {
  detail: NoteDetail;
  template: TemplateDefinition;
  memberName: (id: string) => string;
}) {
  const { t } = useTranslation();
  const [adding, setAdding] = useState(false);
  const signed = detail.status === 'signed';
  const proposals = detail.addenda.filter((addendum) => addendum.state === 'proposal');
  const addenda = detail.addenda.filter((addendum) => addendum.state === 'signed');
  // The addendum this clinician was writing (autosaved here): its form stays open until it is
  // signed or discarded.
  const writing = detail.addenda.find((addendum) => addendum.state === 'draft');
  const formOpen = adding || writing !== undefined;

  return (
    <Stack gap="md">
      <Group justify="space-between" gap="sm" wrap="wrap" className={classes.actionBar}>
        <Text size="sm" fw={600}>
          {signed ? t('notes.record.readOnlySigned') : t('notes.record.readOnlyDraft')}
        </Text>
        <Group gap="sm">
          <ExportPdfButton noteId={detail.id} />
          {signed && detail.isOwn && !formOpen && (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setAdding(true)}>
              {t('notes.addendum.add')}
            </Button>
          )}
        </Group>
      </Group>

      <ProtectedNotice detail={detail} />
      {signed && <SignatureBlock detail={detail} />}
      {detail.cosignDetail && detail.cosignDetail.state !== 'none' && <CosignBlock detail={detail} />}
      {proposals.length > 0 && (
        <Proposals detail={detail} proposals={proposals} template={template} memberName={memberName} />
      )}

      <NoteContentView template={template} content={detail.content} memberName={memberName} />

      {addenda.length > 0 && (
        <Paper withBorder p="md" component="section" aria-labelledby="addenda-heading">
          <Stack gap="md">
            <Title order={3} size="h4" id="addenda-heading">
              {t('notes.addendum.title', { count: addenda.length })}
            </Title>
            {addenda.map((addendum) => (
              <AddendumEntry key={addendum.id} addendum={addendum} />
            ))}
          </Stack>
        </Paper>
      )}

      {formOpen && (
        <AddendumForm key={writing?.id ?? 'new'} noteId={detail.id} draft={writing} onDone={() => setAdding(false)} />
      )}
    </Stack>
  );
}

function SignatureBlock({ detail }: { detail: NoteDetail }) {
  const { t, i18n } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  // Just signed here: the editor (and its Sign button) is gone; focus moves to the signature.
  useEffect(() => {
    if (takeJustSigned(detail.id)) heading.current?.focus();
  }, [detail.id]);
  const signature = detail.signature;
  if (!signature) return null;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="signature-heading">
      <Stack gap={6}>
        <Group gap="sm" wrap="wrap">
          <IconLock size={18} aria-hidden />
          <Title order={3} size="h4" id="signature-heading" ref={heading} tabIndex={-1}>
            {t('notes.record.signatureTitle')}
          </Title>
          {detail.lateEntry && (
            <Badge
              color="orange"
              variant="light"
              tt="none"
              leftSection={<IconClockExclamation size={12} aria-hidden />}
            >
              {t('notes.badges.lateEntry')}
            </Badge>
          )}
        </Group>
        <Text size="sm">
          {t('notes.record.signedBy', {
            name: signature.signerName ?? t('notes.common.unknownStaff'),
            time: formatDateTime(signature.signedAt, i18n.language),
          })}
        </Text>
        {detail.lateEntry && <Text size="sm">{t('notes.record.lateEntryHelp')}</Text>}
        <Text size="sm" fw={600}>
          {t('notes.record.contentHash')}
        </Text>
        <Text className={classes.hash}>{signature.contentHash}</Text>
      </Stack>
    </Paper>
  );
}

function CosignBlock({ detail }: { detail: NoteDetail }) {
  const { t, i18n } = useTranslation();
  const client = useRpcClient();
  const queryClient = useQueryClient();
  const cosign = detail.cosignDetail;
  const [dialog, setDialog] = useState<'cosign' | 'return' | null>(null);
  const [comment, setComment] = useState('');
  const [returnError, setReturnError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!cosign) return null;
  const who = cosign.byName ?? t('notes.common.unknownStaff');
  const when = cosign.at ? formatDateTime(cosign.at, i18n.language) : '';

  const sendBack = async (): Promise<void> => {
    if (comment.trim() === '' || busy) return;
    setBusy(true);
    setReturnError(null);
    try {
      noteChanged(queryClient, await client.call('notes.returnForRevision', { noteId: detail.id, comment }));
      setDialog(null);
      setComment('');
    } catch (error) {
      setReturnError(errorText(t, error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="cosign-heading">
      <Stack gap="sm">
        <Title order={3} size="h4" id="cosign-heading">
          {t('notes.cosign.title')}
        </Title>
        {cosign.state === 'pending' && <Text size="sm">{t('notes.cosign.pending')}</Text>}
        {cosign.state === 'cosigned' && (
          <Group gap="xs">
            <IconCheck size={16} aria-hidden />
            <Text size="sm">{t('notes.cosign.cosignedBy', { name: who, time: when })}</Text>
          </Group>
        )}
        {cosign.state === 'returned' && (
          <Alert
            color="orange"
            role="status"
            title={t('notes.cosign.returnedComment', { comment: cosign.comment ?? '' })}
          >
            <Stack gap={4}>
              <Text size="sm">{t('notes.cosign.returnedBy', { name: who, time: when })}</Text>
              {detail.isOwn && <Text size="sm">{t('notes.cosign.answerWithAddendum')}</Text>}
            </Stack>
          </Alert>
        )}
        {cosign.canDecide && (
          <Group gap="sm">
            <Button leftSection={<IconCheck size={16} aria-hidden />} onClick={() => setDialog('cosign')}>
              {t('notes.cosign.cosign')}
            </Button>
            <Button
              variant="default"
              leftSection={<IconArrowBackUp size={16} aria-hidden />}
              onClick={() => setDialog('return')}
            >
              {t('notes.cosign.return')}
            </Button>
          </Group>
        )}
      </Stack>
      <Modal
        opened={dialog === 'cosign'}
        onClose={() => setDialog(null)}
        title={t('notes.cosign.cosignTitle')}
        closeButtonProps={{ 'aria-label': t('app.close') }}
      >
        <PassphraseForm
          submitLabel={t('notes.cosign.cosign')}
          onCancel={() => setDialog(null)}
          onSubmit={async (passphrase) => {
            noteChanged(queryClient, await client.call('notes.cosign', { noteId: detail.id, passphrase }));
            setDialog(null);
          }}
        >
          <Text size="sm">{t('notes.cosign.cosignIntro')}</Text>
        </PassphraseForm>
      </Modal>
      <Modal
        opened={dialog === 'return'}
        onClose={() => setDialog(null)}
        title={t('notes.cosign.returnTitle')}
        closeButtonProps={{ 'aria-label': t('app.close') }}
      >
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void sendBack();
          }}
        >
          <Stack gap="sm">
            <Textarea
              label={t('notes.cosign.comment')}
              description={t('notes.cosign.commentHelp')}
              value={comment}
              onChange={(event) => setComment(event.currentTarget.value)}
              required
              autosize
              minRows={3}
              maxLength={2000}
              data-autofocus
            />
            {returnError && (
              <Alert color="red" role="alert">
                {returnError}
              </Alert>
            )}
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={() => setDialog(null)}>
                {t('notes.common.cancel')}
              </Button>
              <Button type="submit" loading={busy} disabled={comment.trim() === ''}>
                {t('notes.cosign.returnSubmit')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Paper>
  );
}

function AddendumEntry({ addendum }: { addendum: AddendumView }) {
  const { t, i18n } = useTranslation();
  return (
    <Stack gap={4} component="article" aria-label={t('notes.addendum.entryLabel', { name: addendum.authorName ?? '' })}>
      <Group gap="xs" wrap="wrap">
        <Text size="sm" fw={600}>
          {addendum.signedAt
            ? t('notes.addendum.signedBy', {
                name: addendum.authorName ?? t('notes.common.unknownStaff'),
                time: formatDateTime(addendum.signedAt, i18n.language),
              })
            : t('notes.addendum.draft')}
        </Text>
        {addendum.lateEntry && (
          <Badge color="orange" variant="light" tt="none">
            {t('notes.badges.lateEntry')}
          </Badge>
        )}
        {addendum.pendingSync && (
          <Badge color="gray" variant="light" tt="none">
            {t('notes.badges.pendingSync')}
          </Badge>
        )}
      </Group>
      {addendum.body.doc ? (
        <RichTextView doc={addendum.body.doc} />
      ) : (
        <Text className={classes.readText}>{addendum.body.text}</Text>
      )}
      {addendum.contentHash && (
        <Text className={classes.hash}>
          {t('notes.record.contentHash')}: {addendum.contentHash}
        </Text>
      )}
    </Stack>
  );
}

/** The editor's starting document of an addendum draft (its rich text, else its plain text). */
function draftDoc(draft: AddendumView | undefined): RichTextNode | undefined {
  if (!draft) return undefined;
  return draft.body.doc ?? richTextFromParagraphs(draft.body.text.split('\n'));
}

/**
 * Write and sign an addendum (rich text, then the passphrase). What is written is autosaved on
 * this workstation (never sent until signed), so it survives a lock, a crash or leaving the page,
 * and the form opens again with it; Discard deletes it.
 */
function AddendumForm({
  noteId,
  draft,
  onDone,
}: {
  noteId: string;
  draft: AddendumView | undefined;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const client = useRpcClient();
  const queryClient = useQueryClient();
  const [addendumId] = useState(() => draft?.id ?? crypto.randomUUID());
  const [doc, setDoc] = useState<RichTextNode | undefined>(() => draftDoc(draft));
  const { saver, state } = useAddendumDraftSaver(noteId, addendumId);
  const [confirming, setConfirming] = useState(false);
  const [discardError, setDiscardError] = useState<string | null>(null);
  const empty = !doc || richTextPlain(doc).trim() === '';

  const discard = async (): Promise<void> => {
    setDiscardError(null);
    await saver.flush();
    saver.dispose();
    try {
      noteChanged(queryClient, await client.call('notes.discardAddendumDraft', { noteId, addendumId }));
    } catch (caught) {
      // Never saved (nothing was written): there is nothing to delete.
      if (!(caught instanceof RpcError && caught.code === 'NOT_FOUND')) {
        setDiscardError(errorText(t, caught));
        return;
      }
    }
    onDone();
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="addendum-form-heading">
      <Stack gap="sm">
        <Group justify="space-between" gap="sm" wrap="wrap">
          <Title order={3} size="h4" id="addendum-form-heading">
            {t('notes.addendum.newTitle')}
          </Title>
          <SaveStatus state={state} onRetry={() => void saver.flush()} />
        </Group>
        <Text size="sm">{t('notes.addendum.newIntro')}</Text>
        <RichTextField
          id="addendum-text"
          label={t('notes.addendum.text')}
          doc={doc}
          onChange={(next) => {
            setDoc(next);
            saver.update(next);
          }}
          onBlur={() => void saver.flush()}
        />
        <PassphraseForm
          submitLabel={t('notes.addendum.sign')}
          disabled={empty}
          onSubmit={async (passphrase) => {
            if (!doc || empty) throw new ShownError(t('notes.addendum.empty'));
            if (!(await saver.flush())) throw new ShownError(t('notes.sign.saveFirst'));
            const amended = await client.call('notes.addAddendum', { noteId, addendumId, doc, passphrase });
            saver.dispose();
            noteChanged(queryClient, amended);
            onDone();
          }}
        />
        {confirming ? (
          <Alert
            color="red"
            role="alertdialog"
            aria-labelledby="addendum-discard-question"
            title={t('notes.addendum.discardQuestion')}
          >
            <Text id="addendum-discard-question" size="sm" mb="sm">
              {t('notes.addendum.discardExplained')}
            </Text>
            {discardError && (
              <Text size="sm" c="red" role="alert" mb="sm">
                {discardError}
              </Text>
            )}
            <Group gap="sm">
              <Button color="red" onClick={() => void discard()}>
                {t('notes.addendum.discardConfirm')}
              </Button>
              <Button variant="default" onClick={() => setConfirming(false)} data-autofocus>
                {t('notes.addendum.keepWriting')}
              </Button>
            </Group>
          </Alert>
        ) : (
          <Group>
            <Button variant="default" onClick={() => (empty ? void discard() : setConfirming(true))}>
              {t('notes.addendum.discard')}
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

/** Text kept from another device when this note was signed elsewhere first: add it as an addendum or discard it. */
function Proposals({
  detail,
  proposals,
  template,
  memberName,
}: {
  detail: NoteDetail;
  proposals: AddendumView[];
  template: TemplateDefinition;
  memberName: (id: string) => string;
}) {
  const { t, i18n } = useTranslation();
  const client = useRpcClient();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="proposals-heading">
      <Stack gap="md">
        <Title order={3} size="h4" id="proposals-heading">
          {t('notes.proposal.title', { count: proposals.length })}
        </Title>
        <Text size="sm">{t('notes.proposal.intro')}</Text>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {proposals.map((proposal) => (
          <Paper key={proposal.id} withBorder p="sm">
            <Stack gap="sm">
              <Text size="sm" fw={600}>
                {proposal.signedAt
                  ? t('notes.proposal.fromSignature', { time: formatDateTime(proposal.signedAt, i18n.language) })
                  : t('notes.proposal.fromDraft')}
              </Text>
              {proposal.proposedContent ? (
                <NoteContentView template={template} content={proposal.proposedContent} memberName={memberName} />
              ) : proposal.body.doc ? (
                <RichTextView doc={proposal.body.doc} />
              ) : (
                <Text className={classes.readText}>{proposal.body.text}</Text>
              )}
              {detail.isOwn && adding !== proposal.id && (
                <Group gap="sm">
                  <Button onClick={() => setAdding(proposal.id)}>{t('notes.proposal.add')}</Button>
                  <Button
                    variant="default"
                    onClick={() => {
                      setError(null);
                      client
                        .call('notes.discardProposal', { noteId: detail.id, proposalId: proposal.id })
                        .then((next) => noteChanged(queryClient, next))
                        .catch((caught: unknown) => setError(errorText(t, caught)));
                    }}
                  >
                    {t('notes.proposal.discard')}
                  </Button>
                </Group>
              )}
              {adding === proposal.id && (
                <PassphraseForm
                  submitLabel={t('notes.proposal.addSubmit')}
                  onCancel={() => setAdding(null)}
                  onSubmit={async (passphrase) => {
                    const doc = proposal.body.doc ?? richTextFromParagraphs(proposal.body.text.split('\n'));
                    noteChanged(
                      queryClient,
                      await client.call('notes.addAddendum', {
                        noteId: detail.id,
                        addendumId: crypto.randomUUID(),
                        doc,
                        passphrase,
                        proposalId: proposal.id,
                      }),
                    );
                    setAdding(null);
                  }}
                />
              )}
            </Stack>
          </Paper>
        ))}
      </Stack>
    </Paper>
  );
}
