// Lesion preview images (mask over the CT's central slice) and the PNG encoder behind them.
export * from './png';
export * from './render';
export * from './stored';
