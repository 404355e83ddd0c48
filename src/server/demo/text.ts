/**
 * Phrase banks for the demo clinic: generic, plausible and clearly synthetic. Nothing here is
 * about a real person. Sentences use "Client" rather than a name, as many notes do.
 */

export const GIVEN_NAMES = [
  'Alex',
  'Jordan',
  'Riley',
  'Casey',
  'Morgan',
  'Taylor',
  'Jamie',
  'Quinn',
  'Avery',
  'Rowan',
  'Sam',
  'Drew',
  'Skyler',
  'Reese',
  'Dakota',
  'Emerson',
  'Finley',
  'Harper',
  'Kendall',
  'Logan',
] as const;

/** Family names nobody has: every demo client is obviously made up. */
export const FAMILY_NAMES = [
  'Samplefield',
  'Testwood',
  'Demoson',
  'Mockridge',
  'Placeholder',
  'Exampleton',
  'Fictive',
  'Synthwell',
  'Dummington',
  'Fakely',
  'Prototyp',
  'Stubbins',
] as const;

export const PRONOUNS = ['she/her', 'he/him', 'they/them'] as const;

export const STREETS = ['Example Street', 'Sample Avenue', 'Demo Lane', 'Placeholder Road', 'Test Court'] as const;
export const TOWNS = ['Anytown', 'Sampleville', 'Demo Falls', 'Exampleburg'] as const;
export const REGION = 'OR';

export const CONTACT_RELATIONSHIPS = ['sibling', 'parent', 'partner', 'friend', 'sponsor', 'adult child'] as const;

export const PART2_RECIPIENTS = [
  {
    recipient: 'Demo County Treatment Court (synthetic)',
    purpose: 'Attendance and participation updates required by the court program',
    scope: ['attendance', 'drug_screens', 'progress'],
  },
  {
    recipient: 'Anytown Primary Care Clinic (synthetic)',
    purpose: 'Coordination of care with the primary care provider',
    scope: ['diagnosis', 'medications', 'progress'],
  },
  {
    recipient: 'Sample Employer Assistance Program (synthetic)',
    purpose: 'Return-to-work coordination',
    scope: ['attendance'],
  },
] as const;

export const GROUP_TOPICS = [
  'Coping with cravings',
  'High-risk situations and relapse prevention',
  'Mindfulness and urge surfing',
  'Building a recovery support network',
  'Managing stress without substances',
  'Communication and refusal skills',
  'Sleep and daily routines in recovery',
  'Identifying triggers and warning signs',
  'Values, goals and motivation',
  'Emotion regulation skills',
  'Repairing relationships',
  'Planning for weekends and holidays',
] as const;

export const CHECKIN_COMMENTS = [
  'Busy day at work, doing okay.',
  'Went to a meeting tonight.',
  'Slept badly, tired today.',
  'Good day, spent time outside.',
  'Feeling stressed about bills.',
  'Called my sponsor.',
  'Quiet day at home.',
  'Had a hard evening but got through it.',
] as const;

/** Sentences by section; `{craving}`, `{band}`, `{topic}` are filled in. */
export const SENTENCES = {
  subjective: [
    'Client reports the past week was manageable, with stress at work being the main concern.',
    'Client describes improved sleep since starting a regular evening routine.',
    'Client reports attending two mutual-support meetings this week and finding them helpful.',
    'Client states cravings were strongest in the evenings and rated current craving {craving}/10.',
    'Client reports a disagreement with a family member and used a planned coping strategy afterwards.',
    'Client shares feeling more confident about handling weekends without use.',
    'Client reports low energy and reduced interest in activities on several days.',
    'Client describes a situation at a social event where alcohol was offered and was declined.',
  ],
  objective: [
    'Client presented on time, appropriately dressed, alert and oriented.',
    'Affect was congruent with mood; speech normal in rate and volume.',
    'Client engaged well and maintained good eye contact over video.',
    'Thought process linear and goal directed; no evidence of perceptual disturbance.',
    'Client appeared tired but was attentive throughout the session.',
  ],
  assessment: [
    'Client continues to make progress toward recovery goals; PHQ-9 today is in the {band} range.',
    'Cravings remain present but are being managed with identified coping skills.',
    'Client demonstrates growing insight into triggers and early warning signs.',
    'Mood symptoms appear stable; continued monitoring is indicated.',
    'Stressors at home remain a risk factor; protective factors include employment and peer support.',
  ],
  intervention: [
    'Clinician used motivational interviewing to explore ambivalence about changing evening routines.',
    'Reviewed the relapse-prevention plan and updated coping strategies with the client.',
    'Practised a brief grounding exercise and discussed using it when cravings rise.',
    'Provided psychoeducation on the connection between sleep, mood and cravings.',
    'Used cognitive restructuring to examine an all-or-nothing thought about recovery.',
  ],
  response: [
    'Client responded positively and identified two situations in which to use the skill this week.',
    'Client was receptive and agreed to track cravings daily in the app.',
    'Client engaged in the exercise and reported feeling calmer afterwards.',
    'Client expressed some hesitation but agreed to try the plan before the next session.',
  ],
  goals: [
    'Maintain abstinence and attend at least two support meetings per week.',
    'Improve sleep routine and reduce evening cravings.',
    'Strengthen relationships with supportive family members.',
  ],
  plan: [
    'Continue weekly individual sessions; next session as scheduled.',
    'Client will complete daily check-ins and practise the grounding exercise.',
    'Continue current medication as prescribed; coordinate with prescriber as needed.',
    'Review the relapse-prevention plan at the next session.',
    'Client will attend IOP group sessions as scheduled.',
  ],
  safety: [
    'Client denies current thoughts of harming self or others; safety plan reviewed.',
    'Passive thoughts reported on the PHQ-9; C-SSRS screener completed and safety plan reviewed with client. Client agreed to contact 988 or the clinic if thoughts increase.',
  ],
  groupContent: [
    'Group focused on {topic}. Facilitator introduced the topic with a brief psychoeducational segment, followed by discussion and skills practice.',
    'Members shared recent experiences related to {topic} and practised applying the skill to a scenario of their choosing.',
    'Session closed with each member naming one commitment for the coming days.',
  ],
  memberPresentation: [
    'Member participated actively, shared a personal example and offered support to peers.',
    'Member was attentive and contributed when prompted; reported craving {craving}/10.',
    'Member appeared engaged and practised the skill during the exercise.',
    'Member was quieter than usual but remained present for the whole session.',
  ],
  memberPlan: [
    'Continue IOP group as scheduled and complete daily check-ins.',
    'Practise the skill from group at least once before the next session.',
  ],
  counseling: [
    'Explored the client’s relationship with a family member and its role in past use.',
    'Client processed feelings of guilt related to past events; clinician provided validation.',
    'Impression: client is beginning to connect emotional avoidance with cravings.',
  ],
} as const;

export const RELAPSE_PREVENTION = {
  warningSigns: ['Skipping meals and sleep', 'Isolating from friends', 'Romanticising past use', 'Skipping meetings'],
  triggers: ['Payday', 'Arguments at home', 'Driving past old neighbourhood', 'Boredom on weekends'],
  copingStrategies: ['Call a support person', 'Go for a walk', 'Urge surfing for 15 minutes', 'Attend a meeting'],
  supports: ['Sponsor (in phone contacts)', 'Sibling', 'IOP peers', 'Counselor at the clinic'],
  afterALapse: [
    'Tell a support person the same day',
    'Keep naloxone nearby and do not use alone',
    'Contact the clinic to review the plan',
  ],
} as const;

export const SAFETY_PLAN = {
  warningSigns: ['Not sleeping for several nights', 'Thinking “nothing will change”', 'Pulling away from everyone'],
  internalCoping: ['Listen to music', 'Take a shower', 'Breathing exercise from group'],
  distractions: ['Coffee shop on the corner', 'Call a friend to talk about anything', 'Library'],
  peopleToAsk: ['Sibling (phone in contacts)', 'Sponsor'],
  professionalsAndCrisisLines: [
    'Clinic main line (demo): 555-0100',
    '988 Suicide & Crisis Lifeline (call or text 988)',
    'Anytown General Hospital emergency department (demo)',
  ],
  safeEnvironment: ['Medications kept by a family member', 'No firearms in the home'],
} as const;
