export * from './common';
export * from './records';
export * from './requests';
export * from './budgets';
