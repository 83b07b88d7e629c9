import { Command } from '../command';
import { evaluateCommand } from './evaluate';
import { injectCommand } from './inject';
import { simulateCommand } from './simulate';
import { verifyCommand } from './verify';

/** Every `ctl` command. */
export const COMMANDS: readonly Command[] = [evaluateCommand, simulateCommand, injectCommand, verifyCommand];
