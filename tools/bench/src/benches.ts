import { allocationBench } from './allocation.bench';
import { coreBench } from './core.bench';
import { governorBench } from './governor.bench';
import { redisLimitBench } from './redis-limit.bench';
import { Bench } from './registry';
import { scrapeBench } from './scrape.bench';

/** Every benchmark `npm run bench` knows. Add one: import it and append it here. */
export const BENCHES: readonly Bench[] = [redisLimitBench, coreBench, governorBench, allocationBench, scrapeBench];
