// Radiomics feature classes with PyRadiomics 3.x names and definitions (shape lives in ./shape).
export * from './discretisation';
export * from './region';
export * from './texture-settings';
export * from './firstorder';
export * from './glcm';
export * from './glrlm';
export * from './glszm';
export * from './gldm';
export * from './ngtdm';
export { eigenvalues } from './eigenvalues';
export { computeShape } from './shape';
