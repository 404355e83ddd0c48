/**
 * Sign time: `notes.sign` through RPC on a complete draft (the passphrase checked again through
 * the vault, template requirements, content hash, the lock, the signature queued with the
 * signed content, the detail sent back), for a typical SOAP note and a 3,000-word one. The
 * passphrase check is a full key derivation (scrypt at the production cost), so it is also
 * timed alone (`VaultService.verifyPassphrase`), and the rest of signing is timed directly: the
 * same notes service with the check left out. Runs are interleaved.
 */
import { DEFAULT_SCRYPT } from '../../src/core/vault/key-vault';
import type { NoteContent } from '../../src/shared/notes/content';
import { latencyStats, type LatencyStats } from '../sync/stats';
import { completeEncounter, contentWords, longSoapSections, noteSections, prng } from './corpus';
import { LAST_DAY, PASSPHRASE, type BenchWorkstation, type Caseload } from './workstation';

export interface SignCaseResult {
  name: string;
  words: number;
  /** `notes.sign` through RPC: what the clinician waits for after typing the passphrase. */
  total: LatencyStats;
  /** The notes service's `sign` without the passphrase check (no RPC). */
  withoutKdf: LatencyStats;
}

export interface SignBenchResult {
  runs: number;
  kdf: { name: 'scrypt'; N: number; r: number; p: number };
  /** `VaultService.verifyPassphrase` alone (the key derivation and the key check). */
  verify: LatencyStats;
  cases: SignCaseResult[];
}

export async function runSignBench(
  ws: BenchWorkstation,
  caseload: Caseload,
  options: { quick: boolean; log: (line: string) => void },
): Promise<SignBenchResult> {
  const runs = options.quick ? 3 : 12;
  const clientId = caseload.myClients[1] ?? caseload.myClients[0]!;
  const world = caseload.corpus.worlds.get(clientId)!;
  const typicalSections = noteSections(prng(11), 'soap', 320, { world, rare: ['Wendover'] }, { withMeasures: true });
  const longSections = longSoapSections(3_000, world, 13);
  const cases = [
    { name: 'Typical SOAP note (PHQ-9, GAD-7, craving)', sections: typicalSections },
    { name: '3,000-word SOAP note', sections: longSections },
  ].map((c) => ({ ...c, total: [] as number[], withoutKdf: [] as number[], words: 0 }));

  /** A complete draft of the case's content, saved as the editor would. */
  const draftOf = async (sections: NoteContent['sections']) => {
    const draft = await ws.rpc.call('notes.createDraft', { clientId, templateId: 'soap' });
    const content: NoteContent = {
      ...draft.content,
      encounter: completeEncounter(draft.content.encounter, LAST_DAY),
      sections,
    };
    await ws.rpc.call('notes.saveDraft', { noteId: draft.id, content, baseRevision: draft.draftRevision });
    return { id: draft.id, words: contentWords(content) };
  };

  const verify: number[] = [];
  // One untimed round first: the first scrypt of a process allocates its 128 MiB.
  await ws.core.vault.verifyPassphrase(PASSPHRASE);
  for (let run = 0; run < runs; run++) {
    for (const c of cases) {
      const viaRpc = await draftOf(c.sections);
      c.words = viaRpc.words;
      let start = performance.now();
      const signed = await ws.rpc.call('notes.sign', { noteId: viaRpc.id, passphrase: PASSPHRASE });
      c.total.push(performance.now() - start);
      if (signed.status !== 'signed') throw new Error('the note was not signed');

      const direct = await draftOf(c.sections);
      start = performance.now();
      await ws.notesWithoutKdf.sign(direct.id, PASSPHRASE);
      c.withoutKdf.push(performance.now() - start);
    }
    const start = performance.now();
    await ws.core.vault.verifyPassphrase(PASSPHRASE);
    verify.push(performance.now() - start);
    options.log(`notes/sign: run ${run + 1}/${runs}`);
  }
  return {
    runs,
    kdf: { name: 'scrypt', ...DEFAULT_SCRYPT },
    verify: latencyStats(verify),
    cases: cases.map((c) => ({
      name: c.name,
      words: c.words,
      total: latencyStats(c.total),
      withoutKdf: latencyStats(c.withoutKdf),
    })),
  };
}
