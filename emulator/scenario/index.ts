export { parseScenario } from './parse.ts';
export { runScenario, setUpScenario, snapshot, scenarioMode } from './run.ts';
export type { ScenarioResult, ScenarioStop } from './run.ts';
export { ScenarioError, SCENARIO_FORMAT, RESULT_FORMAT } from './types.ts';
export type { Scenario, ScenarioMode } from './types.ts';
