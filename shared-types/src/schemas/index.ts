export * from './common';
export * from './records';
export * from './requests';
export * from './memory';
export * from './files';
export * from './file-feature';
export * from './budgets';
