/**
 * The demo clinic's documented credentials (README, "Demo clinic"). They open a synthetic clinic
 * on a loopback port and nothing else: never use them for a real server.
 */
export const DEMO_PASSWORD = 'synthetic-demo-only';

/** The passphrase `npm run demo` gives the demo workstation's encrypted cache. */
export const DEMO_WORKSTATION_PASSPHRASE = 'synthetic harbor demo lantern';

export type DemoUserKey = 'clinician1' | 'clinician2' | 'supervisor' | 'admin';

export interface DemoUserSpec {
  key: DemoUserKey;
  username: string;
  displayName: string;
  role: 'clinician' | 'supervisor' | 'admin';
  /** Professional credentials shown with the name (they travel in the staff record). */
  credentials: string | null;
}

export const DEMO_USERS: readonly DemoUserSpec[] = [
  {
    key: 'clinician1',
    username: 'demo.clinician1',
    displayName: 'Jamie Example',
    role: 'clinician',
    credentials: 'LADC',
  },
  {
    key: 'clinician2',
    username: 'demo.clinician2',
    displayName: 'Robin Sample',
    role: 'clinician',
    credentials: 'LCSW',
  },
  {
    key: 'supervisor',
    username: 'demo.supervisor',
    displayName: 'Pat Placeholder',
    role: 'supervisor',
    credentials: 'LPC-S',
  },
  {
    key: 'admin',
    username: 'demo.admin',
    displayName: 'Demo Administrator',
    role: 'admin',
    credentials: null,
  },
];

/** The account `npm run demo` signs the workstation in with. */
export const DEMO_SIGN_IN_USERNAME = 'demo.clinician1';

/** Where `npm run demo` keeps the demo clinic (`server/`) and the demo workstation (`workstation/`). */
export const DEFAULT_DEMO_DATA_DIR = './demo-data';

/** The demo clinic server's loopback port (fixed, so a signed-in demo workstation finds it again). */
export const DEFAULT_DEMO_PORT = 8787;
