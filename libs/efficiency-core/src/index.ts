export * from './decimal';
export * from './rounding';
export * from './format';
export * from './efficiency-reading';
export * from './target';
export * from './allocation';
export * from './downsize';
