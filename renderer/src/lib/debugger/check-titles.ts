export { CHECKS as CHECK_TITLES } from '../../../../emulator/debug/checks.ts';
