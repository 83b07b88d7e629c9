/** `name{labels} value` lines of a Prometheus text exposition, minus the app label if any. */
export function parseSeries(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels = (m[2] ?? '').replace(/,?app="[^"]*"/, '').replace(/^\{,/, '{');
    out.set(m[1] + (labels === '{}' ? '' : labels), Number(m[3]));
  }
  return out;
}
