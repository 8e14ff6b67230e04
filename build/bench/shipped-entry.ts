// What the CPU figures take from the shipped emulator bundle (build/bench/shipped-emulator.ts).
export { Machine, parseScenario } from '../../emulator/index.ts';
export { setUpScenario } from '../../emulator/scenario/run.ts';
