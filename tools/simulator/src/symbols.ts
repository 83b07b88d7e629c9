/**
 * A realistic trading universe: perpetual-futures style names, most liquid first, with a
 * reference price for each (used for plan prices and quantities).
 */
const KNOWN: ReadonlyArray<readonly [string, number]> = [
  ['BTCUSDT', 64000], ['ETHUSDT', 3200], ['SOLUSDT', 150], ['BNBUSDT', 580], ['XRPUSDT', 0.55],
  ['DOGEUSDT', 0.14], ['ADAUSDT', 0.45], ['AVAXUSDT', 35], ['LINKUSDT', 15], ['DOTUSDT', 7],
  ['TONUSDT', 6.5], ['TRXUSDT', 0.12], ['MATICUSDT', 0.7], ['LTCUSDT', 80], ['BCHUSDT', 450],
  ['NEARUSDT', 6], ['UNIUSDT', 9], ['ATOMUSDT', 8.5], ['APTUSDT', 9], ['ARBUSDT', 1.1],
  ['OPUSDT', 2.4], ['FILUSDT', 5.5], ['ETCUSDT', 27], ['INJUSDT', 25], ['SUIUSDT', 1.1],
  ['1000PEPEUSDT', 0.012], ['1000SHIBUSDT', 0.024], ['WIFUSDT', 2.6], ['1000BONKUSDT', 0.025], ['FETUSDT', 1.6],
  ['RNDRUSDT', 8], ['TIAUSDT', 9], ['SEIUSDT', 0.5], ['AAVEUSDT', 95], ['MKRUSDT', 2600],
  ['LDOUSDT', 2], ['STXUSDT', 2], ['IMXUSDT', 2.1], ['HBARUSDT', 0.09], ['ICPUSDT', 12],
  ['RUNEUSDT', 5], ['GALAUSDT', 0.04], ['SANDUSDT', 0.45], ['MANAUSDT', 0.45], ['AXSUSDT', 7],
  ['FTMUSDT', 0.7], ['ALGOUSDT', 0.18], ['EGLDUSDT', 40], ['XLMUSDT', 0.11], ['VETUSDT', 0.035],
  ['THETAUSDT', 2], ['EOSUSDT', 0.8], ['XTZUSDT', 0.95], ['FLOWUSDT', 0.9], ['CHZUSDT', 0.11],
  ['CRVUSDT', 0.45], ['DYDXUSDT', 2], ['GMXUSDT', 30], ['SNXUSDT', 2.8], ['COMPUSDT', 55],
  ['ORDIUSDT', 40], ['JUPUSDT', 1], ['PYTHUSDT', 0.5], ['WLDUSDT', 5], ['ENAUSDT', 0.8],
  ['1000FLOKIUSDT', 0.2], ['JASMYUSDT', 0.025], ['ONDOUSDT', 1], ['PENDLEUSDT', 5], ['ARUSDT', 30],
  ['KASUSDT', 0.15], ['BLURUSDT', 0.35], ['STRKUSDT', 1.2], ['ZKUSDT', 0.2], ['NOTUSDT', 0.015],
  ['ENSUSDT', 25], ['CFXUSDT', 0.2], ['KAVAUSDT', 0.6], ['GRTUSDT', 0.25], ['QNTUSDT', 90],
];

export interface SymbolInfo {
  readonly symbol: string;
  /** Reference price in USDT. */
  readonly price: number;
  /** Liquidity rank, 0 = most liquid. */
  readonly rank: number;
}

/**
 * The first `count` symbols of the universe. Beyond the known names, synthetic but plausible
 * names are generated (`ALT081USDT`, ...), so any universe size works.
 */
export function universe(count: number): SymbolInfo[] {
  const out: SymbolInfo[] = [];
  for (let rank = 0; rank < count; rank++) {
    if (rank < KNOWN.length) {
      const [symbol, price] = KNOWN[rank];
      out.push({ symbol, price, rank });
    } else {
      const price = Number((0.05 + ((rank * 7919) % 5000) / 100).toFixed(4));
      out.push({ symbol: `ALT${String(rank).padStart(3, '0')}USDT`, price, rank });
    }
  }
  return out;
}
