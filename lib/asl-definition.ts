import * as fs from 'node:fs';

/** An Amazon States Language file read for a state machine, with the placeholders it uses. */
export interface AslDefinition {
  readonly path: string;
  readonly text: string;
  /** Names inside `${...}` in the file, for example `ValidateStudyFunctionArn`. */
  readonly placeholders: readonly string[];
}

/**
 * Reads an ASL file and checks that it is JSON with `StartAt` and `States`, and that every `${Name}`
 * placeholder in it is one of `available`. Throws an error naming the file and what to fix.
 */
export function readAslDefinition(filePath: string, available: readonly string[]): AslDefinition {
  if (!fs.existsSync(filePath)) {
    throw new Error(`State machine definition not found: ${filePath}.`);
  }
  const text = fs.readFileSync(filePath, 'utf8');

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`State machine definition ${filePath} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const document = parsed as { StartAt?: unknown; States?: unknown };
  if (typeof document.StartAt !== 'string' || typeof document.States !== 'object' || document.States === null) {
    throw new Error(`State machine definition ${filePath} needs a string "StartAt" and a "States" object.`);
  }

  const placeholders = [...new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1]!))];
  const unknown = placeholders.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `State machine definition ${filePath} uses unknown placeholder(s) ${unknown.map((name) => `\${${name}}`).join(', ')}; ` +
        `the CDK app substitutes only ${available.map((name) => `\${${name}}`).join(', ')}.`,
    );
  }
  return { path: filePath, text, placeholders };
}
