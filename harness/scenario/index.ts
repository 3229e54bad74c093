export { defaultMaxLost, loadScenario, parseScenario } from './load.js';
export { formatIssue, ScenarioError } from './issues.js';
export type { ScenarioIssue } from './issues.js';
export {
  DIRECTIONS,
  faultTargets,
  isProcessFault,
  PROCESS_FAULT_KINDS,
  PROFILES,
  PROVIDERS,
  scenarioSchema,
  TARGET_NAMES,
  targetProfile,
} from './schema.js';
export type {
  Direction,
  Drain,
  Expect,
  FaultKind,
  FaultSpec,
  ProcessFaultKind,
  Profile,
  Provider,
  Scenario,
  TargetName,
  TargetSpec,
  Workload,
} from './schema.js';
