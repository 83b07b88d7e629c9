import { Command } from '../command';
import { evaluateCommand } from './evaluate';

/** Every `ctl` command. */
export const COMMANDS: readonly Command[] = [evaluateCommand];
