// Results API: a framework-free router shared by the Lambda handler and the local server.
export * from './figures';
export * from './http-api';
export * from './router';
export * from './types';
export * from './views';
