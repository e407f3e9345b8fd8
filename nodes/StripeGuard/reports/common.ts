/**
 * What every report shares, one concern a file: its period and time zone (report-period.ts),
 * MRR's definition switches (mrr-definition.ts), counts and sums per currency (sums.ts), and the
 * ready-made table (table.ts). Kept for what imports them from here (the Report resource).
 */
export * from './mrr-definition';
export * from './report-period';
export * from './sums';
export * from './table';
