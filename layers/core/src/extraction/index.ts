// Feature extraction: preprocessing of one lesion and the enabled features of each image type.
export { prepareRegion, normaliseImage, resegmentMask, type PreparedRegion } from './prepare';
export {
  enabledImageTypes,
  extractImageType,
  extractFeatures,
  voxelBufferHash,
  CORE_VERSION,
  type ExtractionProvenance,
  type ExtractionResult,
  type ExtractOptions,
} from './extract';
export { enabledFeatureNames } from './compute';
export { warmUpExtraction } from './warm-up';
