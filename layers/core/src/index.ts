// Public surface of the core library shipped as the Lambda layer. It imports no AWS SDK.
// Each area re-exports its own index; add a line here when an area lands.
export * from './errors';
export * from './image/volume';
export * from './archive';
export * from './manifest';
export * from './io';
export * from './modelling';
export * from './filters/wavelet';
export * from './features';
export * from './settings';
export * from './extraction';
export * from './pipeline';
export * from './api';
export * from './rescoring';
export * from './preview';
