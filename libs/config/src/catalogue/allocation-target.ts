import { EFFICIENCY_KEY_PREFIX, PROPOSE_STREAM, PROPOSED_KEY_PREFIX, TARGET_KEY_PREFIX } from '../contract-names';
import { decimalVariable, integerVariable } from './builders';
import { commonVariables, efficiencyGateVariables, keyVariable, wholeSecondsVariable } from './common';
import { defineServiceConfig } from './resolve';
import { VariableValues } from './types';

const schema = {
  ...commonVariables(8065),
  LOOP_INTERVAL_SEC: decimalVariable({ name: 'LOOP_INTERVAL_SEC', description: 'seconds between two proposal loops', default: 10, minExclusive: 0, allowed: 'a number of seconds above 0 (fractions allowed)' }),
  BATCH_SIZE: integerVariable({ name: 'BATCH_SIZE', description: 'symbols read per pipelined batch', default: 500, min: 1, max: 10000 }),
  TARGET_KEY_PREFIX: keyVariable('TARGET_KEY_PREFIX', 'prefix of the allocation target hashes (followed by the symbol)', TARGET_KEY_PREFIX),
  EFFICIENCY_KEY_PREFIX: keyVariable('EFFICIENCY_KEY_PREFIX', 'prefix of the capital efficiency hashes (followed by the symbol)', EFFICIENCY_KEY_PREFIX),
  PROPOSED_KEY_PREFIX: keyVariable('PROPOSED_KEY_PREFIX', 'prefix of the proposal hashes written (followed by the symbol)', PROPOSED_KEY_PREFIX),
  PROPOSE_STREAM_NAME: keyVariable('PROPOSE_STREAM_NAME', 'stream the proposals are appended to', PROPOSE_STREAM),
  PROPOSE_STREAM_MAXLEN: integerVariable({ name: 'PROPOSE_STREAM_MAXLEN', description: 'approximate length the proposal stream is trimmed to', default: 100000, min: 1 }),
  PROPOSE_KEY_TTL: wholeSecondsVariable('PROPOSE_KEY_TTL', 'seconds a proposal hash lives', 600),
  P31_BASE: decimalVariable({ name: 'P31_BASE', description: 'multiplier at score 0.5', default: 1.0, defaultText: '1.0', minExclusive: 0 }),
  P31_SCALE: decimalVariable({ name: 'P31_SCALE', description: 'multiplier change per unit of score', default: 1.0, defaultText: '1.0', min: 0 }),
  P31_MIN_MULT: decimalVariable({ name: 'P31_MIN_MULT', description: 'lowest multiplier', default: 0.5, minExclusive: 0 }),
  P31_MAX_MULT: decimalVariable({ name: 'P31_MAX_MULT', description: 'highest multiplier', default: 1.5, minExclusive: 0 }),
  P31_STALE_SEC: wholeSecondsVariable('P31_STALE_SEC', 'an efficiency reading older than this is not used (stale_eff)', 600),
  ...efficiencyGateVariables(),
};

export type AllocationTargetSchema = typeof schema;
export type AllocationTargetConfig = VariableValues<AllocationTargetSchema>;

/** Every variable allocation-target reads. */
export const ALLOCATION_TARGET_CONFIG = defineServiceConfig(schema, [
  {
    variables: ['P31_MIN_MULT', 'P31_MAX_MULT'],
    description: 'P31_MIN_MULT <= P31_MAX_MULT',
    check: (v) => v.P31_MIN_MULT <= v.P31_MAX_MULT,
  },
]);
