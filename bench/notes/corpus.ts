/**
 * Synthetic session-note text for the notes benchmark (issue 5): no real person, place or
 * employer. Deterministic for a seed.
 *
 * Notes read like aftercare / IOP progress notes: section-specific sentences (subjective,
 * objective, assessment, plan, …) with the client's own recurring details (sponsor, family
 * member, employer, town, medication, substance, activity) and, now and then, a one-off detail
 * (an event, a place, a person) whose word occurs in only a few notes. That gives the index the
 * shape real notes have: a few very common words, many medium ones, a long tail of rare ones.
 * Narratives are tiptap / ProseMirror JSON as the editor produces it (paragraphs with marks,
 * headings, bullet and ordered lists).
 */
import { contentHash } from '../../src/shared/notes/canonical';
import { richTextPlain, type NoteContent, type RichTextNode } from '../../src/shared/notes/content';
import type { Change } from '../../src/shared/sync/protocol';

export type Random = () => number;

/** mulberry32: small, fast, good enough to pick words. */
export function prng(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const between = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

const SYLLABLES = [
  'bra',
  'cor',
  'del',
  'fen',
  'gal',
  'hol',
  'ken',
  'lin',
  'mor',
  'nes',
  'pra',
  'quil',
  'ros',
  'sten',
  'tor',
  'vel',
  'wick',
  'yar',
  'zel',
  'ash',
];
const SUFFIXES = ['ton', 'field', 'brook', 'crest', 'wood', 'dale', 'ford', 'mere', 'haven', 'ridge'];

/** An invented proper name (`Corvelbrook`): rare words, like real place and employer names. */
function coined(random: Random): string {
  const word = pick(random, SYLLABLES) + pick(random, SYLLABLES) + pick(random, SUFFIXES);
  return word[0]!.toUpperCase() + word.slice(1);
}

const FIRST_NAMES = [
  'Marisol',
  'Dwayne',
  'Keisha',
  'Tomasz',
  'Priya',
  'Rosalind',
  'Emeka',
  'Beatriz',
  'Colm',
  'Ingrid',
  'Rashad',
  'Yolanda',
  'Teodoro',
  'Shauna',
  'Anselm',
  'Delphine',
  'Kwame',
  'Luz',
  'Bartholomew',
  'Noor',
  'Evander',
  'Guadalupe',
  'Henrik',
  'Imani',
  'Jolene',
  'Kazimir',
  'Lorna',
  'Mateus',
  'Nadia',
  'Oksana',
  'Percival',
  'Quincy',
  'Rocío',
  'Siobhan',
  'Tobias',
  'Ulla',
  'Valentín',
  'Wilhelmina',
  'Xiomara',
  'Yusuf',
  'Zora',
  'Ambrose',
  'Bettina',
  'Cyrus',
];
const RELATIONS = [
  'sister',
  'brother',
  'mother',
  'father',
  'partner',
  'wife',
  'husband',
  'daughter',
  'son',
  'aunt',
  'cousin',
  'roommate',
];
const MEDICATIONS = [
  'buprenorphine',
  'naltrexone',
  'acamprosate',
  'disulfiram',
  'sertraline',
  'bupropion',
  'gabapentin',
  'trazodone',
  'hydroxyzine',
  'methadone',
  'escitalopram',
  'mirtazapine',
  'topiramate',
  'prazosin',
];
const SUBSTANCES = [
  'alcohol',
  'opioids',
  'fentanyl',
  'methamphetamine',
  'cocaine',
  'cannabis',
  'benzodiazepines',
  'heroin',
];
const ACTIVITIES = [
  'running',
  'fishing',
  'painting',
  'the gym',
  'church choir',
  'woodworking',
  'gardening',
  'basketball',
  'knitting',
  'a cooking class',
  'volunteering at the food bank',
  'hiking',
  'guitar lessons',
  'swimming',
  'chess club',
];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const EVENTS = [
  'a quinceañera',
  'a court hearing',
  'a custody mediation',
  'a job interview',
  'a funeral',
  'a wedding rehearsal',
  'a probation check-in',
  'a dental surgery',
  'a family reunion',
  'a layoff notice',
  'an eviction notice',
  'a graduation',
  'a baby shower',
  'a tax audit',
  'a car accident',
  'a housing inspection',
];
const GROUPS = ['AA', 'NA', 'SMART Recovery', 'Celebrate Recovery', 'Refuge Recovery', 'a women’s recovery circle'];

/** The details a client's notes come back to. */
export interface ClientWorld {
  sponsor: string;
  relative: string;
  relation: string;
  employer: string;
  town: string;
  medication: string;
  substance: string;
  activity: string;
  group: string;
}

export function clientWorld(random: Random): ClientWorld {
  return {
    sponsor: pick(random, FIRST_NAMES),
    relative: pick(random, FIRST_NAMES),
    relation: pick(random, RELATIONS),
    employer: `${coined(random)} ${pick(random, ['Logistics', 'Foods', 'Auto Body', 'Roofing', 'Dental', 'Hardware', 'Bakery', 'Warehouse'])}`,
    town: coined(random),
    medication: pick(random, MEDICATIONS),
    substance: pick(random, SUBSTANCES),
    activity: pick(random, ACTIVITIES),
    group: pick(random, GROUPS),
  };
}

type Bank =
  'subjective' | 'objective' | 'assessment' | 'plan' | 'safety' | 'intervention' | 'response' | 'goals' | 'counseling';

/** Sentences with slots: {sponsor} {relative} {relation} {employer} {town} {med} {substance} {activity} {group} {n} {days} {day} {event} {rare}. */
const SENTENCES: Record<Bank, readonly string[]> = {
  subjective: [
    'Client reports cravings at {n}/10 this week, strongest on {day} evening after a shift at {employer}.',
    'Client states that {sponsor}, her sponsor, called twice and they met for coffee in {town}.',
    'He describes sleep as broken, about {n} hours a night, and wakes around 3 a.m. with racing thoughts.',
    'Client reports {days} days without {substance} and says the weekends are still the hardest part.',
    'She attended three {group} meetings and shared for the first time on {day}.',
    'Client describes an argument with their {relation} {relative} about money and feeling blamed for the past.',
    'Reports taking {med} daily as prescribed with mild nausea in the mornings.',
    'Client says work at {employer} has been stressful since the new supervisor started.',
    'Client reports a lapse on {day}: drank four beers at a cookout, stopped, and called {sponsor} the next morning.',
    'He mentions that {activity} has helped fill the evenings that used to be for using.',
    'Client was worried about {event} next week and the people who will be there.',
    'Client reports appetite is improving and she has started cooking dinner with her {relation} again.',
    'Client states the urge to use came on suddenly when driving past the old apartment in {town}.',
    'Client reports no use since last session and feels more hopeful about custody.',
    'She describes feeling lonely on weekends and scrolling on her phone late into the night.',
    'Client said the pharmacy in {town} ran out of {med} for two days, which was frightening.',
  ],
  objective: [
    'Client presented on time by video from home, casually dressed, alert and oriented to person, place and time.',
    'Affect was constricted early in the session and brightened when discussing {activity}.',
    'Speech normal in rate and volume; thought process linear and goal directed.',
    'Urine drug screen collected on {day} was negative for all substances tested, {med} present as expected.',
    'Client appeared tired, yawning often, with good eye contact and cooperative attitude.',
    'The connection dropped twice; the session continued by phone after the second drop.',
    'Client was tearful when describing the conversation with {relative} but regained composure quickly.',
    'No signs of intoxication or withdrawal observed during the session.',
    'Breathalyzer at check-in read 0.00.',
    'Client completed the craving scale and rated current craving at {n}.',
  ],
  assessment: [
    'Client continues in early remission from {substance} use disorder with improving engagement in recovery supports.',
    'Cravings remain present but are being managed with urge surfing, calls to {sponsor} and {activity}.',
    'Mood symptoms appear stable; the PHQ-9 score is lower than last month and continued monitoring is indicated.',
    'Family conflict with {relative} is a current relapse risk; protective factors include employment at {employer} and peer support.',
    'The lapse on {day} was brief and followed by help-seeking, which reflects growth in coping skills.',
    'Sleep disturbance likely contributes to irritability and cravings late in the week.',
    'Client demonstrates increasing insight into triggers, especially payday and conflict at home.',
    'Medication adherence with {med} appears good and side effects are tolerable.',
    'Readiness for change is in the action stage; client is motivated by custody and work goals.',
    'Stressors around {event} will need planning to avoid isolation and high-risk settings.',
  ],
  plan: [
    'Continue weekly individual sessions and IOP group on Tuesdays and Thursdays.',
    'Client will attend at least three {group} meetings and call {sponsor} before the weekend.',
    'Coordinate with the prescriber about the timing of {med} and the morning nausea.',
    'Practise the grounding exercise daily and log cravings in the journal.',
    'Review the relapse prevention plan at the next session, including a plan for {event}.',
    'Client will schedule a sleep hygiene routine: no screens after 10 p.m., same wake time daily.',
    'Refer to the family program so that {relative} can attend the education night.',
    'Continue random drug screens twice a month.',
    'Client will look into {activity} in {town} on Saturday mornings.',
  ],
  safety: [
    'Denies suicidal ideation, intent or plan; no homicidal ideation.',
    'Safety plan reviewed and updated with {sponsor}’s number and the 988 lifeline.',
    'Naloxone kit at home confirmed; client knows how to use it and {relative} has been shown too.',
    'Passive thoughts of not waking up last week, none currently; no plan or intent, protective factors reviewed.',
  ],
  intervention: [
    'Used motivational interviewing to explore ambivalence about attending {group}.',
    'Practised a refusal-skills role play for {event}.',
    'Reviewed the cognitive model of cravings and completed a thought record about {day}.',
    'Taught paced breathing and a five-senses grounding exercise; client practised in session.',
    'Provided psychoeducation on post-acute withdrawal and sleep.',
    'Problem-solved transport to the pharmacy in {town} for {med} refills.',
    'Explored values and linked them to the goal of returning to {activity}.',
  ],
  response: [
    'Client engaged well and identified two high-risk situations for the coming week.',
    'Client was receptive to feedback and agreed to call {sponsor} before the weekend.',
    'Client practised the exercise and rated its usefulness {n} out of 10.',
    'Client was initially guarded about {relative} but opened up by the end of the session.',
    'Client expressed hope about the job at {employer} and the structure it gives.',
  ],
  goals: [
    'Goal: maintain abstinence from {substance} and build a sober support network.',
    'Goal: improve sleep to seven hours a night and reduce late-night cravings.',
    'Goal: repair the relationship with {relative} through honest communication.',
    'Goal: keep steady work at {employer} and attend every shift on time.',
  ],
  counseling: [
    'Explored shame connected to the years of {substance} use and the relationship with {relative}.',
    'Client revisited the loss around {event} and the guilt that still follows it.',
    'Processed anger toward the old crowd in {town} and what loyalty means now.',
    'Worked with ambivalence: part of the client misses the ritual of using on {day} nights.',
  ],
};

/** One-off details: a word that occurs in a handful of notes (a place, an event, a name). */
const RARE_SENTENCES = [
  'Client mentioned a trip to {rare} with friends from the meeting.',
  'Client said her cousin from {rare} may stay with the family next month.',
  'Client started a second job at {rare} on weekends.',
  'Client described running into an old using friend outside {rare}.',
  'Client brought up the dog, {rare}, who has been a comfort on bad nights.',
];

export interface Slots {
  world: ClientWorld;
  rare: readonly string[];
}

function fill(random: Random, template: string, slots: Slots): string {
  const w = slots.world;
  return template.replace(/\{(\w+)\}/g, (_, slot: string) => {
    switch (slot) {
      case 'sponsor':
        return w.sponsor;
      case 'relative':
        return w.relative;
      case 'relation':
        return w.relation;
      case 'employer':
        return w.employer;
      case 'town':
        return w.town;
      case 'med':
        return w.medication;
      case 'substance':
        return w.substance;
      case 'activity':
        return w.activity;
      case 'group':
        return w.group;
      case 'n':
        return String(between(random, 0, 10));
      case 'days':
        return String(between(random, 3, 400));
      case 'day':
        return pick(random, WEEKDAYS);
      case 'event':
        return pick(random, EVENTS);
      case 'rare':
        return pick(random, slots.rare);
      default:
        return slot;
    }
  });
}

const text = (value: string, marks: string[] = []): RichTextNode =>
  marks.length === 0
    ? { type: 'text', text: value }
    : { type: 'text', text: value, marks: marks.map((type) => ({ type })) };

/** A paragraph of sentences; now and then one sentence is bold or italic, as clinicians mark things. */
function paragraph(random: Random, sentences: string[]): RichTextNode {
  const inlines: RichTextNode[] = [];
  sentences.forEach((sentence, index) => {
    const spaced = index === 0 ? sentence : ` ${sentence}`;
    const roll = random();
    inlines.push(roll < 0.06 ? text(spaced, ['bold']) : roll < 0.1 ? text(spaced, ['italic']) : text(spaced));
  });
  // Adjacent plain text nodes merge in the editor's JSON.
  const merged: RichTextNode[] = [];
  for (const node of inlines) {
    const last = merged.at(-1);
    if (last && !last.marks && !node.marks) last.text = `${last.text ?? ''}${node.text ?? ''}`;
    else merged.push({ ...node });
  }
  return { type: 'paragraph', content: merged };
}

const wordCount = (value: string): number => value.split(/\s+/).filter(Boolean).length;

/**
 * A narrative of about `words` words from `bank`: paragraphs of 3–6 sentences, with a bullet
 * list in plans, a heading and an ordered list in long assessments, and a one-off detail now and
 * then (`rareChance` per paragraph).
 */
export function narrative(random: Random, bank: Bank, words: number, slots: Slots, rareChance = 0.08): RichTextNode {
  const blocks: RichTextNode[] = [];
  let written = 0;
  if (bank === 'assessment' && words > 600) {
    blocks.push({ type: 'heading', attrs: { level: 3 }, content: [text('Progress toward goals')] });
    written += 4;
  }
  while (written < words) {
    if (bank === 'plan' && blocks.length > 0 && random() < 0.3) {
      const items = Array.from({ length: between(random, 2, 4) }, () =>
        fill(random, pick(random, SENTENCES.plan), slots),
      );
      blocks.push({
        type: 'bulletList',
        content: items.map((item) => ({ type: 'listItem', content: [{ type: 'paragraph', content: [text(item)] }] })),
      });
      written += items.reduce((n, item) => n + wordCount(item), 0);
      continue;
    }
    if (bank === 'assessment' && words > 600 && blocks.length === 4) {
      const items = [
        `${slots.world.substance[0]!.toUpperCase()}${slots.world.substance.slice(1)} use disorder, moderate, in early remission`,
        'Depressive symptoms, monitoring',
        'Insomnia, improving',
      ];
      blocks.push({
        type: 'orderedList',
        attrs: { start: 1 },
        content: items.map((item) => ({ type: 'listItem', content: [{ type: 'paragraph', content: [text(item)] }] })),
      });
      written += items.reduce((n, item) => n + wordCount(item), 0);
      continue;
    }
    const sentences: string[] = [];
    const count = between(random, 3, 6);
    for (let i = 0; i < count && written < words; i++) {
      const sentence = fill(
        random,
        i === 0 && random() < rareChance ? pick(random, RARE_SENTENCES) : pick(random, SENTENCES[bank]),
        slots,
      );
      sentences.push(sentence);
      written += wordCount(sentence);
    }
    blocks.push(paragraph(random, sentences));
  }
  return { type: 'doc', content: blocks };
}

const rich = (doc: RichTextNode) => ({ type: 'richText' as const, doc });

/** PHQ-9 / GAD-7 / craving answers for a moderate week. */
function measures(random: Random): NoteContent['sections'][string] {
  const item = () => between(random, 0, 3);
  return {
    phq9: {
      type: 'measure',
      measureId: 'phq9',
      version: 1,
      responses: {
        q1: item(),
        q2: item(),
        q3: item(),
        q4: item(),
        q5: item(),
        q6: item(),
        q7: item(),
        q8: item(),
        q9: 0,
        difficulty: 1,
      },
    },
    gad7: {
      type: 'measure',
      measureId: 'gad7',
      version: 1,
      responses: { q1: item(), q2: item(), q3: item(), q4: item(), q5: item(), q6: item(), q7: item() },
    },
    craving: { type: 'measure', measureId: 'craving', version: 1, responses: { level: between(random, 0, 10) } },
  };
}

export type NoteTemplateId = 'soap' | 'dap' | 'birp' | 'girp' | 'sud_counseling';

/** Which narrative fields each template has, and the share of the note's words each gets. */
const LAYOUT: Record<NoteTemplateId, Array<{ section: string; field: string; bank: Bank; share: number }>> = {
  soap: [
    { section: 'subjective', field: 'subjective', bank: 'subjective', share: 0.35 },
    { section: 'objective', field: 'objective', bank: 'objective', share: 0.15 },
    { section: 'assessment', field: 'assessment', bank: 'assessment', share: 0.25 },
    { section: 'safety', field: 'safety_notes', bank: 'safety', share: 0.05 },
    { section: 'plan', field: 'plan', bank: 'plan', share: 0.2 },
  ],
  dap: [
    { section: 'data', field: 'data', bank: 'subjective', share: 0.45 },
    { section: 'assessment', field: 'assessment', bank: 'assessment', share: 0.3 },
    { section: 'plan', field: 'plan', bank: 'plan', share: 0.25 },
  ],
  birp: [
    { section: 'behavior', field: 'behavior', bank: 'objective', share: 0.3 },
    { section: 'intervention', field: 'intervention', bank: 'intervention', share: 0.3 },
    { section: 'response', field: 'response', bank: 'response', share: 0.2 },
    { section: 'plan', field: 'plan', bank: 'plan', share: 0.2 },
  ],
  girp: [
    { section: 'goals', field: 'goals', bank: 'goals', share: 0.25 },
    { section: 'intervention', field: 'intervention', bank: 'intervention', share: 0.3 },
    { section: 'response', field: 'response', bank: 'response', share: 0.25 },
    { section: 'plan', field: 'plan', bank: 'plan', share: 0.2 },
  ],
  sud_counseling: [
    { section: 'session_content', field: 'session_content', bank: 'counseling', share: 0.7 },
    { section: 'plan', field: 'plan', bank: 'plan', share: 0.3 },
  ],
};

/** The sections of a note of `template` with about `words` words of narrative in all. */
export function noteSections(
  random: Random,
  template: NoteTemplateId,
  words: number,
  slots: Slots,
  options: { withMeasures?: boolean; rareChance?: number } = {},
): NoteContent['sections'] {
  const sections: NoteContent['sections'] = {};
  for (const part of LAYOUT[template]) {
    sections[part.section] ??= {};
    sections[part.section]![part.field] = rich(
      narrative(random, part.bank, Math.max(8, Math.round(words * part.share)), slots, options.rareChance),
    );
  }
  if (template !== 'sud_counseling') {
    sections['safety'] = {
      ...sections['safety'],
      risk_screen: { type: 'riskScreen', result: random() < 0.9 ? 'none' : 'low' },
    };
    const measureSection =
      template === 'soap' ? 'objective' : template === 'dap' ? 'data' : template === 'birp' ? 'behavior' : 'goals';
    if (options.withMeasures ?? random() < 0.35)
      sections[measureSection] = { ...sections[measureSection], ...measures(random) };
  }
  if (template !== 'sud_counseling' && random() < 0.7) {
    sections['plan'] = { ...sections['plan'], next_appointment: { type: 'date', value: '2026-11-27' } };
  }
  return sections;
}

/** Words a clinician typed: every rich-text field's plain text. */
export function contentWords(content: NoteContent): number {
  let words = 0;
  for (const fields of Object.values(content.sections))
    for (const value of Object.values(fields))
      if (value.type === 'richText') words += wordCount(richTextPlain(value.doc));
  return words;
}

// ---------------------------------------------------------------------------------------------
// The 20,000-note caseload

export interface CorpusClient {
  id: string;
  authorId: string;
}

export interface Corpus {
  changes: Change[];
  notes: number;
  /** Narrative words over all notes. */
  words: number;
  /** Bytes of note content JSON. */
  contentBytes: number;
  /** Rare one-off words planted in the text (a sample, for queries). */
  rareWords: string[];
  /** Each client's recurring details (for queries that name them). */
  worlds: Map<string, ClientWorld>;
  /** The newest and oldest session dates. */
  firstDate: string;
  lastDate: string;
}

const DAY_MS = 86_400_000;
const TEMPLATE_SHARES: Array<[NoteTemplateId, number]> = [
  ['soap', 0.42],
  ['dap', 0.3],
  ['birp', 0.16],
  ['girp', 0.11],
  ['sud_counseling', 0.01],
];

function templateFor(random: Random): NoteTemplateId {
  let roll = random();
  for (const [id, share] of TEMPLATE_SHARES) {
    if (roll < share) return id;
    roll -= share;
  }
  return 'soap';
}

const pad = (n: number) => String(n).padStart(2, '0');
const uuidFrom = (random: Random): string => {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(random() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/**
 * `count` notes spread over the clients (round robin), two years of sessions up to `lastDay`,
 * in the wire shape (`note` changes) the sync engine applies. Most are signed (with their
 * content hash); each client's newest note or two are drafts. About 1 % are protected SUD
 * counseling notes. Note length: 120–700 words, about 300 on average.
 */
export function generateNotes(
  clients: readonly CorpusClient[],
  count: number,
  options: { seed?: number; lastDay?: string } = {},
): Corpus {
  const random = prng(options.seed ?? 20261123);
  const lastDay = Date.parse(`${options.lastDay ?? '2026-11-20'}T00:00:00Z`);
  const rare = Array.from({ length: 4000 }, () => coined(random));
  const worlds = new Map(clients.map((client) => [client.id, clientWorld(random)]));
  const perClient = Math.ceil(count / clients.length);
  const spanDays = 730;
  const changes: Change[] = [];
  let words = 0;
  let contentBytes = 0;
  let first = '9999-12-31';
  let last = '0000-01-01';
  for (let i = 0; i < count; i++) {
    const client = clients[i % clients.length]!;
    const nth = Math.floor(i / clients.length); // 0 = oldest
    const world = worlds.get(client.id)!;
    const day = new Date(lastDay - Math.round(((perClient - 1 - nth) * spanDays) / perClient) * DAY_MS);
    const date = day.toISOString().slice(0, 10);
    if (date < first) first = date;
    if (date > last) last = date;
    const hour = between(random, 8, 16);
    const template = templateFor(random);
    const noteWords = Math.min(700, Math.max(120, Math.round(300 * Math.exp((random() - 0.5) * 1.2))));
    const modality = pick(random, ['video', 'video', 'video', 'phone', 'in_person'] as const);
    const content: NoteContent = {
      templateId: template,
      templateVersion: 1,
      encounter: {
        date,
        startTime: `${pad(hour)}:00`,
        endTime: `${pad(hour)}:50`,
        timeZone: 'America/Chicago',
        modality,
        ...(modality === 'in_person'
          ? {}
          : { clientLocation: { address: `${between(random, 10, 999)} ${world.town} Road`, verified: true } }),
        participants: [
          { kind: 'client', refId: client.id },
          { kind: 'clinician', refId: client.authorId },
        ],
      },
      sections: noteSections(random, template, noteWords, { world, rare }),
    };
    words += contentWords(content);
    const json = JSON.stringify(content);
    contentBytes += Buffer.byteLength(json);
    const createdAt = new Date(day.getTime() + (hour + 1) * 3_600_000).toISOString();
    const draft = nth >= perClient - 1 && random() < 0.5;
    const signedAt = new Date(day.getTime() + (hour + 3) * 3_600_000).toISOString();
    changes.push({
      op: 'put',
      entity: 'note',
      id: uuidFrom(random),
      clientId: client.id,
      version: 1,
      data: {
        authorId: client.authorId,
        status: draft ? 'draft' : 'signed',
        content,
        contentHash: draft ? null : contentHash(content),
        signedAt: draft ? null : signedAt,
        signedBy: draft ? null : client.authorId,
        createdAt,
        updatedAt: draft ? createdAt : signedAt,
      },
    });
  }
  return { changes, notes: count, words, contentBytes, rareWords: rare, worlds, firstDate: first, lastDate: last };
}

/**
 * A 3,000-word SOAP note as the editor holds it after a long session: every section written
 * (subjective, objective with PHQ-9, GAD-7 and craving, assessment with a heading and a
 * diagnosis list, safety notes and risk screen, plan with bullet lists), the encounter complete
 * so that it can be signed.
 */
export function longSoapSections(words: number, world: ClientWorld, seed = 7): NoteContent['sections'] {
  const random = prng(seed);
  return noteSections(
    random,
    'soap',
    words,
    { world, rare: ['Wendover', 'Ashcombe', 'Tillamook'] },
    { withMeasures: true },
  );
}

export function completeEncounter(encounter: NoteContent['encounter'], date: string): NoteContent['encounter'] {
  return {
    ...encounter,
    date,
    startTime: '14:00',
    endTime: '14:50',
    timeZone: 'America/Chicago',
    modality: 'video',
    clientLocation: { address: '1208 Synthetic Linden Ave, Apt 3', verified: true },
  };
}

/**
 * What a clinician types into the assessment, one character per keystroke: `typed(content, n)`
 * is the note after `n` keystrokes (the text is appended to the last paragraph of the
 * assessment, as if the cursor sat at its end). Each call returns a new object, like the
 * editor's `getJSON()`.
 */
export function typist(base: NoteContent): (keystrokes: number) => NoteContent {
  const script =
    ' Client and clinician reviewed the week in detail, including the cravings on Friday and the call to the sponsor that followed.' +
    ' The plan for the holiday weekend was written down together, with names and numbers, and the client read it back aloud.';
  const assessment = base.sections['assessment']?.['assessment'];
  if (assessment?.type !== 'richText') throw new Error('the note has no assessment narrative');
  const blocks = assessment.doc.content ?? [];
  const lastParagraph = blocks.findLastIndex((block) => block.type === 'paragraph');
  if (lastParagraph < 0) throw new Error('the assessment has no paragraph');
  return (keystrokes) => {
    const typed = Array.from({ length: Math.floor(keystrokes / script.length) + 1 }, () => script)
      .join('')
      .slice(0, keystrokes);
    // The editor's JSON merges the typed characters into the paragraph's last plain text node.
    const paragraphNode = blocks[lastParagraph]!;
    const inlines = paragraphNode.content ?? [];
    const tail = inlines.at(-1);
    const edited: RichTextNode = {
      ...paragraphNode,
      content:
        tail?.type === 'text' && !tail.marks
          ? [...inlines.slice(0, -1), { type: 'text', text: `${tail.text ?? ''}${typed}` }]
          : [...inlines, { type: 'text', text: typed.length > 0 ? typed : ' ' }],
    };
    const doc: RichTextNode = {
      ...assessment.doc,
      content: blocks.map((block, i) => (i === lastParagraph ? edited : block)),
    };
    return {
      ...base,
      sections: {
        ...base.sections,
        assessment: { ...base.sections['assessment'], assessment: { type: 'richText', doc } },
      },
    };
  };
}
