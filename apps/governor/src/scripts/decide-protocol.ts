import { formatShortest } from '@quantum/efficiency-core';
import { luaScript, type ScriptCall } from '@quantum/redis-streams';
import decideLua from './decide.lua';
import auditEventLua from './includes/audit-event.lua';
import claimLua from './includes/claim.lua';
import deadLetterLua from './includes/dead-letter.lua';
import gateStateLua from './includes/gate-state.lua';
import type { AckTarget } from '../decision';
import { BLOCK_KEY_PREFIX, DECISION_KEY_PREFIX, ENTRY_KEY_PREFIX, GATE_KEY_PREFIX, LEGACY_NOTIONAL_PREFIX, LEGACY_PERMITS_PREFIX, PERMIT_KEY_PREFIX } from '../keys';
import type { GovernorSettings } from '../settings';
import type { StaticVerdict } from '../static-gates';

/**
 * The decide script (decide.lua and its includes): its arguments are built here and only here
 * ({@link decideHeader}, then one record per entry), its reply read by {@link parseDecideReply}.
 */
export const DECIDE_SCRIPT = luaScript('decide', decideLua, {
  'audit-event': auditEventLua,
  'gate-state': gateStateLua,
  claim: claimLua,
  'dead-letter': deadLetterLua,
});

/**
 * Permit times kept per symbol even when the count limits are lower or off: raising
 * `GOV_MAX_EXEC_PER_HOUR`/`_PER_5MIN` up to this value still counts the permits granted before
 * the change.
 */
export const PERMIT_HISTORY_FLOOR = 32;

/** `YYYY-MM-DD` of the UTC day containing `now` (epoch seconds). */
export function utcDay(now: number): string {
  return new Date(Math.floor(now) * 1000).toISOString().slice(0, 10);
}

/** The header of every chunk of a batch decided at `now` (decide.lua, ARGV 1-24). */
export function decideHeader(s: GovernorSettings, now: number, ack: AckTarget | undefined): string[] {
  return [
    formatShortest(now), utcDay(now), s.mode,
    String(s.decisionTtlSec), String(s.permitTtlSec), String(s.blockTtlSec),
    String(s.symbolCooldownSec), String(s.maxExecPerHour), String(s.maxExecPer5Min),
    formatShortest(s.maxNotionalPerDay), String(PERMIT_HISTORY_FLOOR),
    s.eventsStream, String(s.eventsMaxLen), s.dlqStream, s.killSwitchKey,
    DECISION_KEY_PREFIX, ENTRY_KEY_PREFIX, PERMIT_KEY_PREFIX, BLOCK_KEY_PREFIX, GATE_KEY_PREFIX,
    LEGACY_PERMITS_PREFIX, LEGACY_NOTIONAL_PREFIX,
    ack?.stream ?? '', ack?.group ?? '',
  ];
}

/** Appends an EXECUTE entry's record; `notional`, `granted`: undefined when unknown. */
export function appendExecute(
  args: (string | number)[], entryId: string, planId: string, symbol: string, verdict: StaticVerdict,
  notional: number | undefined, granted: number | undefined, permitJson: string,
): void {
  args.push(
    'execute', entryId, planId, symbol, verdict,
    notional === undefined ? '' : formatShortest(notional), granted === undefined ? '' : formatShortest(granted), permitJson,
  );
}

/** Appends the record of a plan that is not to be executed. */
export function appendSkip(args: (string | number)[], entryId: string, planId: string, symbol: string, reason: string): void {
  args.push('skip', entryId, planId, symbol, reason);
}

/** Appends a dead letter's record; `planId`, `symbol`: '' when unknown; `fields`: the copy, flat. */
export function appendDeadLetter(args: (string | number)[], entryId: string, planId: string, symbol: string, reason: string, fields: readonly string[]): void {
  args.push('dead', entryId, planId, symbol, reason, fields.length);
  for (let k = 0; k < fields.length; k++) args.push(fields[k]!);
}

/** The call of one chunk: the batch's header followed by the chunk's records. */
export function decideCall(args: readonly (string | number)[]): ScriptCall {
  return { args };
}

/** A decide reply: whether the script acknowledged, then outcome and reason per entry (`pieces[2k]`, `pieces[2k + 1]`). */
export interface DecideReply {
  readonly acked: boolean;
  readonly pieces: readonly string[];
}

/** The reply of a chunk of `entries` entries, or an Error naming what came instead. */
export function parseDecideReply(value: unknown, entries: number): DecideReply | Error {
  if (Array.isArray(value) && value.length === 2 && typeof value[1] === 'string') {
    const pieces = value[1].split('\n');
    if (pieces.length === 2 * entries) return { acked: value[0] === 1, pieces };
  }
  return new Error(`unexpected decide script reply for ${entries} entries: ${JSON.stringify(value)?.slice(0, 200)}`);
}
