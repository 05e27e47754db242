/**
 * What each Lambda may do to the table: only the actions its code uses and only the indexes it queries.
 * Derived from functions/data/* (the repositories each group's handlers call); the CDK tests check that no
 * function gets more.
 */
import type { RouteGroup } from '../../functions/http/routes';
import type { GsiName } from '../../functions/data/table-definition';

export interface TableAccess {
  actions: string[];
  /** Indexes the function queries. */
  indexes: GsiName[];
}

/** Every route function reads the caller's stored user (roles) and config. */
const READ = ['dynamodb:GetItem', 'dynamodb:Query'];

export const TABLE_ACCESS: Record<RouteGroup | 'authorizer', TableAccess> = {
  users: { actions: [...READ, 'dynamodb:PutItem', 'dynamodb:UpdateItem'], indexes: ['gsi1'] },
  sessions: {
    actions: [...READ, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
    indexes: ['gsi1', 'gsi2', 'gsi3', 'gsi4'],
  },
  feedback: { actions: [...READ, 'dynamodb:UpdateItem', 'dynamodb:TransactWriteItems', 'dynamodb:ConditionCheckItem', 'dynamodb:PutItem'], indexes: ['gsi1'] },
  insights: { actions: [...READ, 'dynamodb:PutItem', 'dynamodb:TransactWriteItems', 'dynamodb:ConditionCheckItem'], indexes: [] },
  widgets: { actions: [...READ, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], indexes: [] },
  admin: { actions: [...READ, 'dynamodb:PutItem'], indexes: [] },
  converse: {
    actions: [...READ, 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:TransactWriteItems', 'dynamodb:ConditionCheckItem'],
    indexes: [],
  },
  authorizer: { actions: [], indexes: [] },
};
