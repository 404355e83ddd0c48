import { memberFilings, type NoteContent, richTextFromParagraphs } from '../../shared/notes/index.js';
import type { ClientOutput } from './client-history.js';
import { measureData } from './measures.js';
import {
  addMs,
  atTime,
  clamp,
  type ClientPlan,
  dayStart,
  distress,
  type Generation,
  GROUP_BLOCKS,
  GROUP_HOURS,
  hhmm,
  HOUR,
  iso,
  isoDate,
  MINUTE,
  type RawRecord,
  template,
  usedAround,
} from './model.js';
import { sentences } from './note-content.js';
import type { Prng } from './prng.js';
import { GROUP_TOPICS } from './text.js';

// ---------------------------------------------------------------------------------------------
// IOP groups: one note per group day, filed to each attending member's chart

export function generateGroups(
  gen: Generation,
  plans: ClientPlan[],
  outputs: Map<string, ClientOutput>,
  rng: Prng,
): void {
  const group = template('iop_group');
  gen.clinicians.forEach((clinician, clinicianIndex) => {
    const block = GROUP_BLOCKS[clinicianIndex % GROUP_BLOCKS.length];
    if (!block) return;
    const members = plans.filter((plan) => plan.clinician.id === clinician.id && plan.iop);
    if (members.length === 0) return;
    const first = new Date(Math.min(...members.map((plan) => plan.iop?.start.getTime() ?? Infinity)));
    const horizon = dayStart(gen.today, 14);
    let topicIndex = rng.int(0, GROUP_TOPICS.length - 1);
    for (let day = dayStart(first); day < horizon; day = dayStart(day, 1)) {
      if (!(block.weekdays as readonly number[]).includes(day.getDay())) continue;
      const start = atTime(day, block.hour);
      const end = addMs(start, GROUP_HOURS * HOUR);
      const present = members.filter((plan) => plan.iop && plan.iop.start <= day && day < plan.iop.end);
      if (present.length === 0) continue;
      const past = end <= gen.now;
      const attending: ClientPlan[] = [];
      for (const plan of present) {
        let status = 'scheduled';
        if (past) {
          status = plan.rng.chance(plan.engagement + 0.05)
            ? 'completed'
            : plan.rng.chance(0.6)
              ? 'no_show'
              : 'cancelled';
          if (status === 'completed') attending.push(plan);
        } else if (start <= gen.now) {
          status = 'checked_in';
        }
        const id = plan.rng.uuid();
        outputs.get(plan.id)?.records.push({
          entity: 'appointment',
          id,
          clientId: plan.id,
          clientIndex: plan.index,
          at: start.getTime(),
          data: {
            clinicianId: clinician.id,
            startsAt: iso(start),
            endsAt: iso(end),
            type: 'group',
            modality: 'video',
            status,
            videoLink: `https://telehealth.example.com/demo/group-${clinicianIndex + 1}`,
            createdAt: iso(plan.iop?.start ?? start),
            updatedAt: iso(past ? end : (plan.iop?.start ?? start)),
          },
        });
      }
      if (attending.length === 0) continue;

      // The group note: shared content once, one section set per attending member.
      const topic = GROUP_TOPICS[topicIndex % GROUP_TOPICS.length] as string;
      topicIndex += 1;
      const cravings = new Map<string, number>();
      const membersContent: NonNullable<NoteContent['members']> = {};
      for (const plan of present) {
        if (!attending.includes(plan)) {
          membersContent[plan.id] = { attended: false, sections: {} };
          continue;
        }
        const level = clamp(distress(plan, gen, start) + (plan.rng.next() - 0.5) * 0.15, 0, 1);
        const craving = clamp(Math.round(level * 10 + (usedAround(plan, start) ? 2 : 0)), 0, 10);
        cravings.set(plan.id, craving);
        const fill = { craving, band: '', topic };
        membersContent[plan.id] = {
          attended: true,
          sections: {
            member: {
              participation: {
                type: 'choice',
                value: [plan.rng.pick(['active', 'active', 'active', 'moderate', 'minimal'])],
              },
              member_presentation: {
                type: 'richText',
                doc: richTextFromParagraphs([sentences(plan.rng, ['memberPresentation'], fill, 2).join(' ')]),
              },
              craving: { type: 'measure', measureId: 'craving', version: 1, responses: { level: craving } },
              risk_screen: { type: 'riskScreen', result: plan.item9 && plan.rng.chance(0.3) ? 'low' : 'none' },
              plan: {
                type: 'richText',
                doc: richTextFromParagraphs([sentences(plan.rng, ['memberPlan'], fill, 1).join(' ')]),
              },
            },
          },
        };
      }
      const content: NoteContent = {
        templateId: group.id,
        templateVersion: group.version,
        encounter: {
          date: isoDate(start),
          startTime: hhmm(start),
          endTime: hhmm(end),
          timeZone: gen.timeZone,
          modality: 'video',
          participants: [
            { kind: 'clinician', refId: clinician.id },
            ...present.map((plan) => ({ kind: 'client' as const, refId: plan.id })),
          ],
        },
        sections: {
          group: {
            topic: { type: 'text', value: topic },
            group_content: {
              type: 'richText',
              doc: richTextFromParagraphs(sentences(rng, ['groupContent'], { craving: 0, band: '', topic }, 3)),
            },
          },
        },
        members: membersContent,
      };
      const signedAt = addMs(end, rng.chance(0.06) ? rng.int(26, 40) * HOUR : rng.int(20, 180) * MINUTE);
      if (signedAt > gen.now) continue; // today's group is still being written: no filings yet
      for (const filing of memberFilings(group, content)) {
        const plan = attending.find((member) => member.id === filing.clientId);
        const output = outputs.get(filing.clientId);
        if (!plan || !output) continue;
        const noteId = plan.rng.uuid();
        output.notes.push({
          id: noteId,
          clientId: plan.id,
          clientIndex: plan.index,
          authorId: clinician.id,
          template: group,
          content: filing.content,
          sessionStart: start,
          status: 'signed',
          signedAt,
          createdAt: addMs(start, 10 * MINUTE),
          updatedAt: signedAt,
        });
        const administeredAt = addMs(start, 15 * MINUTE);
        const measure: RawRecord = {
          entity: 'measure',
          id: plan.rng.uuid(),
          clientId: plan.id,
          clientIndex: plan.index,
          at: administeredAt.getTime(),
          data: measureData(
            { measureId: 'craving', responses: { level: cravings.get(plan.id) ?? 0 } },
            administeredAt,
            clinician.id,
            'clinician',
            noteId,
          ),
        };
        output.records.push(measure);
        output.noteMeasures.set(noteId, [measure]);
      }
    }
  });
}
