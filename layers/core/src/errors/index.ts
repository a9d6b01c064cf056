export * from './catalogue';
export * from './radiomics-error';
