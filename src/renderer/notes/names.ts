import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { Participant } from '../../shared/notes/content';
import { useRpcQuery } from '../rpc/hooks';

/** Names of the clients on this workstation (group members, participants), by id. */
export function useClientNames(): (id: string) => string {
  const { t } = useTranslation();
  const caseload = useRpcQuery('caseload.list', {}, { staleTime: 60_000 });
  const rows = caseload.data?.rows;
  return useCallback(
    (id: string) => rows?.find((row) => row.id === id)?.displayName ?? t('notes.editor.memberUnknown'),
    [rows, t],
  );
}

/** The name of a participant who is a known record (a client, the signed-in clinician), else null. */
export function useKnownParticipantName(): (participant: Participant) => string | null {
  const clientName = useClientNames();
  const session = useRpcQuery('session.status', {});
  const me = session.data?.user ?? null;
  return useCallback(
    (participant: Participant): string | null => {
      if (!participant.refId) return null;
      if (participant.kind === 'client') return clientName(participant.refId);
      return me && participant.refId === me.id ? me.displayName : null;
    },
    [clientName, me],
  );
}
