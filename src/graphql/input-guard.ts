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

/** The variables of a request: the first string holding NUL, named by its path (`input.description`). */
export function nulInVariables(variables: unknown): GraphQLError | null {
  const stack: [unknown, string][] = [[variables, '']];
  for (let visited = 0; stack.length > 0 && visited < MAX_WALK; visited++) {
    const [value, path] = stack.pop() as [unknown, string];
    if (typeof value === 'string') {
      if (value.includes('\0')) return nulError(path || 'variables');
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push([item, `${path}[${i}]`]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) stack.push([item, path ? `${path}.${key}` : key]);
      // Keys are strings the client chose too.
      if (Object.keys(value).some((key) => key.includes('\0'))) return nulError(path || 'variables');
    }
  }
  return null;
}
