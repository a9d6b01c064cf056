// A small evaluator of identity-based IAM policy statements, enough to check the synthesized roles.
// It supports Action and NotAction, Resource and NotResource with `*` and `?` wildcards, and the StringEquals,
// StringLike, ArnLike and Bool condition operators. An explicit Deny beats any Allow, and a condition key absent
// from the request context makes its condition false, as in IAM.

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface AccessRequest {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

export type Decision = 'allowed' | 'explicitly denied' | 'implicitly denied';

function wildcardToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, caseInsensitive ? 'i' : '');
}

function matchesAny(patterns: string | string[] | undefined, value: string, caseInsensitive: boolean): boolean {
  return [patterns ?? []].flat().some((pattern) => wildcardToRegExp(pattern, caseInsensitive).test(value));
}

function conditionHolds(condition: PolicyStatement['Condition'], context: Record<string, string>): boolean {
  for (const [operator, entries] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const actual = context[key];
      if (actual === undefined) return false;
      const values = [expected].flat();
      switch (operator) {
        case 'StringEquals':
        case 'Bool':
          if (!values.includes(actual)) return false;
          break;
        case 'StringLike':
        case 'ArnLike':
          if (!values.some((pattern) => wildcardToRegExp(pattern, false).test(actual))) return false;
          break;
        default:
          throw new Error(`Condition operator ${operator} is not supported by this evaluator.`);
      }
    }
  }
  return true;
}

function statementApplies(statement: PolicyStatement, request: AccessRequest): boolean {
  const actionMatches = statement.Action !== undefined
    ? matchesAny(statement.Action, request.action, true)
    : !matchesAny(statement.NotAction, request.action, true);
  const resourceMatches = statement.Resource !== undefined
    ? matchesAny(statement.Resource, request.resource, false)
    : !matchesAny(statement.NotResource, request.resource, false);
  return actionMatches && resourceMatches && conditionHolds(statement.Condition, request.context ?? {});
}

/** Decides a request against identity policy statements: explicit Deny, else Allow, else implicit deny. */
export function evaluate(statements: readonly PolicyStatement[], request: AccessRequest): Decision {
  const applicable = statements.filter((statement) => statementApplies(statement, request));
  if (applicable.some((statement) => statement.Effect === 'Deny')) return 'explicitly denied';
  if (applicable.some((statement) => statement.Effect === 'Allow')) return 'allowed';
  return 'implicitly denied';
}
