export { luaScript, type LuaScript } from './lua-script';
export { ScriptRunner, type ScriptCall, type ScriptRunnerOptions, type ScriptSequence } from './script-runner';
