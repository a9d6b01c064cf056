// Minimal type declarations for the ml.js packages that ship without them (only the members the product uses).

declare module 'ml-cart' {
  export interface CartNode {
    classify(row: number[]): { columns: number; get(row: number, column: number): number };
  }
  export class DecisionTreeClassifier {
    constructor(options?: Record<string, unknown>);
    root: CartNode;
    train(rows: number[][], labels: number[]): void;
    predict(rows: number[][]): number[];
    toJSON(): Record<string, unknown>;
    static load(model: unknown): DecisionTreeClassifier;
  }
}

declare module 'ml-logistic-regression' {
  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    classifiers: { weights: { to1DArray(): number[] } }[];
    train(features: unknown, target: unknown): void;
    toJSON(): Record<string, unknown>;
  }
}

declare module 'ml-svm' {
  export default class SVM {
    constructor(options?: Record<string, unknown>);
    train(features: number[][], labels: number[]): void;
    margin(features: number[][]): number[];
    toJSON(): Record<string, unknown>;
    static load(model: unknown): SVM;
  }
}

declare module 'ml-naivebayes' {
  export class GaussianNB {
    means: number[][];
    calculateProbabilities: (number | [number, number])[][];
    train(rows: number[][], labels: number[]): void;
    predict(rows: number[][]): number[];
    toJSON(): Record<string, unknown>;
    static load(model: unknown): GaussianNB;
  }
}

declare module 'ml-knn' {
  export default class KNN {
    constructor(dataset: number[][], labels: number[], options?: { k?: number });
    k: number;
    kdTree: { nearest(point: number[], count: number): [number[], number][] };
    predict(rows: number[][]): number[];
    toJSON(): Record<string, unknown>;
    static load(model: unknown): KNN;
  }
}
