export * from './parse';
export * from './schema';
export type * from './types';
