/** Money: USD amounts are kept to micro-dollars everywhere (usage, costs, budgets), so sums stay exact enough to compare. */
export const roundUsd = (n: number): number => Math.round(n * 1e6) / 1e6;
