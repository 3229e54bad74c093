import type { RawIssue } from './issues.js';
import { describeValue } from './issues.js';
import { faultTargets, isProcessFault } from './schema.js';
import type { FaultSpec, Scenario } from './schema.js';

/** Rules that span fields, checked once every field has the right type. */
export function checkScenario(scenario: Scenario): RawIssue[] {
  return [
    ...checkTargets(scenario),
    ...checkWorkload(scenario),
    ...scenario.faults.flatMap((fault, index) => checkFault(scenario, fault, index)),
  ];
}

function checkTargets(scenario: Scenario): RawIssue[] {
  const issues: RawIssue[] = [];
  const firstIndex = new Map<string, number>();

  for (const [index, target] of scenario.targets.entries()) {
    const first = firstIndex.get(target.name);
    if (first === undefined) firstIndex.set(target.name, index);
    else {
      issues.push({
        path: ['targets', index, 'name'],
        expected: 'a name no other target uses',
        got: `${JSON.stringify(target.name)} again (first at targets[${first}])`,
      });
    }

    const external = target.provider === 'external';
    if (external && target.url === undefined) {
      issues.push({
        path: ['targets', index, 'url'],
        expected: 'a url, which provider "external" requires',
        got: describeValue(undefined),
      });
    } else if (!external && target.url !== undefined) {
      issues.push({
        path: ['targets', index, 'url'],
        expected: `no url for provider "${target.provider}" (only "external" takes one)`,
        got: describeValue(target.url),
        note: 'set provider: external to use a broker you run yourself',
      });
    }
  }
  return issues;
}

function checkWorkload(scenario: Scenario): RawIssue[] {
  const { warmupSec, durationSec } = scenario.workload;
  if (warmupSec < durationSec) return [];
  return [
    {
      path: ['workload', 'warmupSec'],
      expected: `a warm-up shorter than durationSec (${durationSec})`,
      got: String(warmupSec),
    },
  ];
}

/** How the end of a fault is computed, in the user's field names. */
function endFormula(fault: FaultSpec): string {
  if (fault.kind === 'kill') return `${fault.atSec} + restartAfterSec ${fault.restartAfterSec}`;
  if (fault.kind === 'restart') return `${fault.atSec}`;
  return `${fault.atSec} + forSec ${fault.forSec}`;
}

function checkFault(scenario: Scenario, fault: FaultSpec, index: number): RawIssue[] {
  const issues: RawIssue[] = [];
  const durationSec = scenario.workload.durationSec;

  if (fault.endSec > durationSec) {
    issues.push({
      path: ['faults', index, 'atSec'],
      expected: `a fault that ends within durationSec (${durationSec})`,
      got: `an end at ${endFormula(fault)} = ${fault.endSec}`,
    });
  }

  const names = [...new Set(scenario.targets.map((target) => target.name))];
  for (const [position, name] of (fault.targets ?? []).entries()) {
    if (names.includes(name)) continue;
    issues.push({
      path: ['faults', index, 'targets', position],
      expected: `a target of this scenario (${names.join(', ')})`,
      got: JSON.stringify(name),
    });
  }

  if (isProcessFault(fault.kind)) issues.push(...checkProcessFault(scenario, fault, index));
  return issues;
}

function checkProcessFault(scenario: Scenario, fault: FaultSpec, index: number): RawIssue[] {
  const external = faultTargets(scenario, fault).filter((t) => t.provider === 'external');
  if (external.length === 0) return [];
  const names = external.map((target) => JSON.stringify(target.name)).join(', ');
  return [
    {
      path: ['faults', index, 'kind'],
      expected: `a target whose process mqbench controls (provider local or docker)`,
      got: `${fault.kind} on external target ${names}`,
      note: 'a process fault needs the broker process; list other targets under `targets:`',
    },
  ];
}
