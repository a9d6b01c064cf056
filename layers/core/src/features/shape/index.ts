export { computeShape, SHAPE_FEATURE_NAMES, DEPRECATED_SHAPE_FEATURE_NAMES, type ShapeMask, type ShapeOptions } from './shape';
