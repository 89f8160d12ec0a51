import { type ASTNode, type ASTVisitor, GraphQLError, Kind, type ValidationContext } from 'graphql';

/**
 * NUL characters are refused in every string a request carries, as literals or variables: PostgreSQL cannot
 * store them in text, and a filter or name reaching SQL with one fails as an internal error. Domain rules
 * refuse other control characters where text is stored (field-rules.ts `printable`).
 */
export function nulError(field: string): GraphQLError {
  return new GraphQLError(`${field}: must not contain NUL characters`, { extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } } });
}

function fieldPath(ancestors: readonly (ASTNode | readonly ASTNode[])[]): string {
  const names: string[] = [];
  for (const node of ancestors) {
    if (!Array.isArray(node) && (node as ASTNode).kind === Kind.ARGUMENT) names.push((node as { name: { value: string } }).name.value);
    if (!Array.isArray(node) && (node as ASTNode).kind === Kind.OBJECT_FIELD) names.push((node as { name: { value: string } }).name.value);
  }
  return names.join('.') || 'query';
}

/** The literal strings of a document (arguments, input objects, defaults). */
export function noNulLiterals(context: ValidationContext): ASTVisitor {
  return {
    StringValue(node, _key, parent, _path, ancestors) {
      if (node.value.includes('\0')) context.reportError(nulError(fieldPath(parent ? [...ancestors, parent] : ancestors)));
    },
  };
}

const MAX_WALK = 100_000;

/**
 * How deep variables may nest. The deepest input the schema takes is a model filter (and / or / not, at most 5
 * levels: about a dozen JSON levels); graphql-js coerces variables recursively, so a filter nested 20,000 deep
 * (160 KB of JSON) would overflow the stack and answer an internal error instead of a clear one.
 */
export const MAX_VARIABLE_DEPTH = 64;

/** Named by its variable and where it starts to go too deep (`$f: f.not.not…`), never a path of thousands of steps. */
function tooDeep(path: string): GraphQLError {
  const steps = path.split('.');
  const variable = (steps[0] ?? '').split('[')[0] || 'variables';
  const shown = steps.length > 4 ? `${steps.slice(0, 4).join('.')}…` : path;
  return new GraphQLError(`$${variable} (${shown}): variables nest at most ${MAX_VARIABLE_DEPTH} levels deep`, {
    extensions: { code: 'BAD_USER_INPUT', field: variable, http: { status: 400 } },
  });
}

/**
 * The variables of a request, refused before graphql-js coerces them: nesting deeper than MAX_VARIABLE_DEPTH, or
 * the first string holding NUL, named by its path (`input.description`). Depth is checked over the whole value
 * (it is bounded by the body size); the NUL search stops after MAX_WALK values.
 */
export function nulInVariables(variables: unknown): GraphQLError | null {
  const stack: [unknown, string, number][] = [[variables, '', 0]];
  let nul: GraphQLError | null = null;
  for (let visited = 0; stack.length > 0; visited++) {
    const [value, path, depth] = stack.pop() as [unknown, string, number];
    if (depth > MAX_VARIABLE_DEPTH) return tooDeep(path);
    const looking = nul === null && visited < MAX_WALK;
    if (typeof value === 'string') {
      if (looking && value.includes('\0')) nul = nulError(path || 'variables');
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (typeof item === 'object' && item !== null) stack.push([item, `${path}[${i}]`, depth + 1]);
        else if (looking) stack.push([item, `${path}[${i}]`, depth + 1]);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if ((typeof item === 'object' && item !== null) || looking) stack.push([item, path ? `${path}.${key}` : key, depth + 1]);
      }
      // Keys are strings the client chose too.
      if (looking && Object.keys(value).some((key) => key.includes('\0'))) nul = nulError(path || 'variables');
    }
  }
  return nul;
}
