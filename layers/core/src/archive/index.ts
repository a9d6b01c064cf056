export * from './zip';
