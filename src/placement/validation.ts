import { z } from 'zod';
import { InvalidInputError } from './errors.js';

export const MAX_INT32 = 2147483647;
/** Above this an allocation ratio is a typo, not a policy; it also keeps capacity < 2^53. */
export const MAX_ALLOCATION_RATIO = 10000;
export const CUSTOM_NAME_PATTERN = /^CUSTOM_[A-Z0-9_]+$/;
export const NAME_PATTERN = /^[A-Z0-9_]+$/;

const UUID_DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_DASHLESS = /^[0-9a-f]{32}$/;

/**
 * Whether `value` is a uuid in the one spelling the database writes (lower case, dashed), the
 * only one Placement's text comparisons find: its REST API looks uuids up as written.
 */
export function isStoredUuid(value: string): boolean {
  return UUID_DASHED.test(value);
}

/** Lower-case dashed form of a UUID given dashed or dashless, or null when it is not one. */
export function normalizeUuid(value: string): string | null {
  const lower = value.trim().toLowerCase();
  if (UUID_DASHED.test(lower)) return lower;
  if (UUID_DASHLESS.test(lower)) {
    return `${lower.slice(0, 8)}-${lower.slice(8, 12)}-${lower.slice(12, 16)}-${lower.slice(16, 20)}-${lower.slice(20)}`;
  }
  return null;
}

// Each rule carries a stable `rule` name in its params; InvalidInput reports it.
export const uuidString = z
  .string()
  .refine((v) => normalizeUuid(v) !== null, {
    message: 'must be a UUID (dashed or 32 hex digits)',
    params: { rule: 'uuid' },
  })
  .transform((v) => normalizeUuid(v) as string);

export const int32 = (min: number) =>
  z
    .number()
    .int({ message: 'must be a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .max(MAX_INT32, { message: `must be at most ${MAX_INT32}` });

export const providerName = z
  .string()
  .refine((v) => [...v].length >= 1, { message: 'must not be empty', params: { rule: 'length:1..200' } })
  .refine((v) => [...v].length <= 200, {
    message: 'must be at most 200 characters',
    params: { rule: 'length:1..200' },
  });

export const customName = (kind: string) =>
  z
    .string()
    .max(255, { message: `${kind} names are at most 255 characters` })
    .regex(CUSTOM_NAME_PATTERN, { message: `custom ${kind} names must match ${CUSTOM_NAME_PATTERN.source}` });

/** A class or trait name used in a request: upper-case letters, digits, underscore. */
export const referenceName = (kind: string) =>
  z
    .string()
    .max(255, { message: `${kind} names are at most 255 characters` })
    .regex(NAME_PATTERN, { message: `${kind} names must match ${NAME_PATTERN.source}` });

/** One class and amount, as every request names them. */
export const resourceAmount = z.object({ resourceClass: referenceName('resource class'), amount: int32(1) });

/** A request's resources: at least `min` (one unless told), at most `max`, each class once. */
export const distinctResourceAmounts = (max: number, min = 1) =>
  z
    .array(resourceAmount)
    .min(min, { message: 'list at least one resource' })
    .max(max, { message: `at most ${max} resources` })
    .superRefine((resources, ctx) => {
      const seen = new Set<string>();
      resources.forEach((r, i) => {
        if (seen.has(r.resourceClass)) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'resourceClass'],
            message: `${r.resourceClass} is listed twice`,
            params: { rule: 'unique' },
          });
        }
        seen.add(r.resourceClass);
      });
    });

export const externalId = (what: string) =>
  z
    .string()
    .min(1, { message: `${what} must not be empty` })
    .max(255, { message: `${what} is at most 255 characters` });

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function ruleOf(issue: z.core.$ZodIssue): string {
  const params = (issue as { params?: { rule?: string } }).params;
  if (params?.rule) return params.rule;
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'string' ? `minLength:${issue.minimum}` : `min:${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `maxLength:${issue.maximum}` : `max:${issue.maximum}`;
    case 'invalid_format':
      // zod reports the pattern as /…/; the rule names it bare, e.g. pattern:^CUSTOM_[A-Z0-9_]+$
      return issue.format === 'regex'
        ? `pattern:${String((issue as { pattern?: string }).pattern ?? '').replace(/^\/(.*)\/[a-z]*$/, '$1')}`
        : issue.format;
    case 'invalid_type':
      return issue.input === undefined || issue.input === null ? 'required' : `type:${issue.expected}`;
    default:
      return issue.code;
  }
}

/**
 * Control characters (NUL, ESC, newline… `\p{Cc}`), format characters (bidi overrides,
 * zero-width joiners… `\p{Cf}`) and lone surrogates (`\p{Cs}`): invisible or terminal-altering
 * in a name or id, and PostgreSQL cannot store NUL. Free-text ids (projectId, userId) allow
 * any other character.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}]/u;
export const NO_CONTROL_CHARACTERS_RULE = 'no-control-characters';

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first string inside `value` (objects and lists walked) holding an unprintable character. */
function findUnprintable(value: unknown, path: PropertyKey[] = []): { path: PropertyKey[]; char: string } | null {
  if (typeof value === 'string') {
    const char = UNPRINTABLE.exec(value)?.[0];
    return char === undefined ? null : { path, char };
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnprintable(item, [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = findUnprintable(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

const fieldName = (prefix: string, path: readonly PropertyKey[]) =>
  [prefix, formatPath(path)].filter(Boolean).join('.').replace(/\.\[/g, '[');

/**
 * Parses `value`; the first problem becomes an InvalidInputError naming field and rule. Every
 * string in every input is first checked for control and format characters.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const unprintable = findUnprintable(value);
  if (unprintable) {
    const field = fieldName(prefix, unprintable.path) || '(input)';
    throw new InvalidInputError(
      field,
      NO_CONTROL_CHARACTERS_RULE,
      `${field}: must not contain control or format characters (found ${codePoint(unprintable.char)})`,
    );
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  const field = fieldName(prefix, issue.path);
  const rule = ruleOf(issue);
  const message = issue.code === 'invalid_type' && rule === 'required' ? 'is required' : issue.message;
  throw new InvalidInputError(field || '(input)', rule, `${field || 'input'}: ${message}`);
}
