/** The workstation cache schema, split by feature. drizzle-kit reads this file. */
export * from './staff-clients';
export * from './appointments';
export * from './notes';
export * from './measures';
export * from './plans';
export * from './medications';
export * from './checkins';
export * from './escalations';
export * from './tasks';
export * from './audit';
export * from './sync';
